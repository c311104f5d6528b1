//! `tftest_echo`: a data source that echoes its input.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use terraform_provider_conductorone::framework::TerraformModel;
use terraform_provider_conductorone::framework::{
    Context, DataSource, ReadDataRequest, ReadDataResponse, Value,
};

use crate::store::Store;

/// Echoes its input back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct EchoModel {
    /// Any text.
    pub input: Value<String>,
    /// The input, unchanged.
    #[terraform(computed)]
    pub output: Value<String>,
    /// How many characters the input has.
    #[terraform(computed)]
    pub length: Value<i64>,
}

/// The `tftest_echo` data source.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

#[async_trait]
impl DataSource for Echo {
    type ProviderData = Store;
    type Model = EchoModel;

    fn type_name(&self) -> String {
        "tftest_echo".to_owned()
    }

    async fn read(
        &self,
        _ctx: &Context<Store>,
        req: ReadDataRequest<EchoModel>,
        resp: &mut ReadDataResponse<EchoModel>,
    ) {
        let input = req.config.input.as_str().unwrap_or_default().to_owned();
        resp.state.length = Value::Known(i64::try_from(input.chars().count()).unwrap_or(i64::MAX));
        resp.state.output = Value::Known(input);
    }
}
