//! Acceptance tests of the framework: real Terraform (current and oldest supported) driving the test
//! provider `tests/testprovider` (`registry.terraform.io/example/tftest`).

mod support;

use support::{Workdir, terraform_tests};

terraform_tests! {
    // The harness itself: the CLI config, environment and output capture work without any provider.
    fn harness_runs_terraform(tf) {
        let wd = Workdir::new(tf, &[]);
        let version = wd.run(&["version", "-json"]);
        version.assert_success();
        assert_eq!(version.json()["terraform_version"], tf.version().to_string());

        wd.write("main.tf", "output \"greeting\" {\n  value = \"hello\"\n}\n");
        wd.apply();
        assert_eq!(wd.state_json()["outputs"]["greeting"]["value"], "hello");
        wd.assert_no_changes();

        wd.write("main.tf", "output \"greeting\" {\n  value = \"changed\"\n}\n");
        let plan = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(plan.code(), Some(2), "a changed output is a pending change:\n{plan}");
        let broken = wd.write("main.tf", "output {").plan();
        broken.assert_failure();
        assert!(broken.stderr.contains("Error"), "a syntax error is reported on stderr:\n{broken}");
    }
}
