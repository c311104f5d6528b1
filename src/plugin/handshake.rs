//! go-plugin's start-up contract: the magic cookie, protocol version negotiation and the one line
//! the plugin prints on stdout so that Terraform can connect.

use base64::Engine as _;

/// Environment variable Terraform sets to prove the binary was started as its plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform puts in [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Environment variable listing the application protocol versions Terraform can speak.
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
/// go-plugin's own protocol version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub const APP_PROTOCOL_VERSION: u32 = 6;

/// What a user who runs the binary by hand sees on stderr.
pub const NOT_A_PROGRAM_MESSAGE: &str = "This program is a Terraform provider plugin: Terraform \
starts it and talks to it by itself, so running it directly does nothing useful.\n\
Run `terraform init` / `terraform plan` in a configuration that uses this provider instead, \
or pass --debug to start it for a debugger (see --help).";

/// Why the plugin cannot start the handshake.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    /// The binary was not started by Terraform.
    #[error("{NOT_A_PROGRAM_MESSAGE}")]
    MissingCookie,
    /// Terraform offered only protocol versions this provider does not speak.
    #[error(
        "Terraform offered plugin protocol version(s) {offered:?} ({PROTOCOL_VERSIONS_KEY}), but \
         this provider speaks only protocol {APP_PROTOCOL_VERSION}; use Terraform 1.0 or newer"
    )]
    NoCommonVersion {
        /// The raw value of [`PROTOCOL_VERSIONS_KEY`].
        offered: String,
    },
}

/// Checks that Terraform started the binary (`value` is the cookie variable's value, if set).
pub fn check_cookie(value: Option<&str>) -> Result<(), HandshakeError> {
    match value {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(HandshakeError::MissingCookie),
    }
}

/// Picks the protocol version from the comma-separated list Terraform offered.
///
/// An absent or empty list means a host too old to negotiate; go-plugin then uses the plugin's
/// own version, so we do the same.
pub fn negotiate_version(offered: Option<&str>) -> Result<u32, HandshakeError> {
    let Some(raw) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(APP_PROTOCOL_VERSION);
    };
    let speaks_ours = raw
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == APP_PROTOCOL_VERSION);
    if speaks_ours {
        Ok(APP_PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::NoCommonVersion {
            offered: raw.to_owned(),
        })
    }
}

/// Formats the handshake line (without the trailing newline).
///
/// `server_cert_der` is the TLS certificate Terraform must pin; with TLS off the field stays
/// empty, as go-plugin does.
pub fn handshake_line(network: &str, address: &str, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert_eq!(check_cookie(Some(MAGIC_COOKIE_VALUE)), Ok(()));
        for bad in [None, Some(""), Some("d602bf8f"), Some(" d602")] {
            assert_eq!(
                check_cookie(bad),
                Err(HandshakeError::MissingCookie),
                "{bad:?}"
            );
        }
        let padded = format!("{MAGIC_COOKIE_VALUE} ");
        assert!(check_cookie(Some(&padded)).is_err());
    }

    #[test]
    fn missing_cookie_message_tells_the_user_what_to_run() {
        let text = HandshakeError::MissingCookie.to_string();
        assert!(text.contains("plugin"), "{text}");
        assert!(text.contains("terraform"), "{text}");
    }

    #[test]
    fn version_six_is_chosen_when_offered() {
        for offered in ["6", "5,6", "6,5", " 5 , 6 ", "4,x,6"] {
            assert_eq!(negotiate_version(Some(offered)), Ok(6), "{offered}");
        }
        assert_eq!(negotiate_version(None), Ok(6));
        assert_eq!(negotiate_version(Some("  ")), Ok(6));
    }

    #[test]
    fn no_common_version_names_the_offer() {
        for offered in ["5", "4,5", "60", "7"] {
            let err = negotiate_version(Some(offered)).unwrap_err();
            assert_eq!(
                err,
                HandshakeError::NoCommonVersion {
                    offered: offered.to_owned()
                }
            );
            let text = err.to_string();
            assert!(
                text.contains(offered) && text.contains("protocol 6"),
                "{text}"
            );
        }
    }

    #[test]
    fn handshake_line_has_six_fields_and_unpadded_base64() {
        // 4 bytes encode to 6 characters; padding would add "==".
        let line = handshake_line(
            "unix",
            "/tmp/p/plugin.sock",
            Some(&[0xde, 0xad, 0xbe, 0xef]),
        );
        assert_eq!(line, "1|6|unix|/tmp/p/plugin.sock|grpc|3q2+7w");
        let plain = handshake_line("tcp", "127.0.0.1:10000", None);
        assert_eq!(plain, "1|6|tcp|127.0.0.1:10000|grpc|");
        assert_eq!(plain.split('|').count(), 6);
    }
}
