//! Choosing a login method and building its client message. The messages hold the secret,
//! so they are built at the moment of sending and never logged.
//!
//! - PLAIN (RFC 4616): `\0username\0password`.
//! - XOAUTH2 (Google, Microsoft): `user=<name>\x01auth=Bearer <token>\x01\x01`.
//! - OAUTHBEARER (RFC 7628): `n,a=<name>,\x01auth=Bearer <token>\x01\x01`.

use imap_next::imap_types::auth::AuthMechanism;

use crate::config::{AuthMethod, Credential};

/// What the login step sends.
pub enum LoginPlan {
    /// The IMAP LOGIN command.
    Login,
    /// AUTHENTICATE with this mechanism, first client message, and the reply to a server
    /// error challenge.
    Sasl {
        mechanism: AuthMechanism<'static>,
        first: Vec<u8>,
        abort_reply: &'static [u8],
    },
}

/// Picks the login method from the configured `auth` and the server's capabilities
/// (uppercased, e.g. `AUTH=PLAIN`). Returns `Err` with the offered mechanisms when
/// nothing fits.
pub fn plan(
    method: AuthMethod,
    username: &str,
    credential: &Credential,
    capabilities: &[String],
) -> Result<LoginPlan, String> {
    let offers = |name: &str| capabilities.iter().any(|c| c == &format!("AUTH={name}"));
    let login_disabled = capabilities.iter().any(|c| c == "LOGINDISABLED");
    let secret = match credential {
        Credential::Password(s) | Credential::OauthToken(s) => s.expose(),
    };
    let plain = || LoginPlan::Sasl {
        mechanism: AuthMechanism::Plain,
        first: format!("\0{username}\0{secret}").into_bytes(),
        abort_reply: b"",
    };
    match method {
        AuthMethod::Password if offers("PLAIN") => Ok(plain()),
        AuthMethod::Password | AuthMethod::Login if !login_disabled => Ok(LoginPlan::Login),
        AuthMethod::Plain => Ok(plain()),
        AuthMethod::Xoauth2 => Ok(LoginPlan::Sasl {
            mechanism: AuthMechanism::XOAuth2,
            first: format!("user={username}\x01auth=Bearer {secret}\x01\x01").into_bytes(),
            abort_reply: b"",
        }),
        AuthMethod::Oauthbearer => Ok(LoginPlan::Sasl {
            mechanism: AuthMechanism::OAuthBearer,
            first: format!(
                "n,a={},\x01auth=Bearer {secret}\x01\x01",
                gs2_escape(username)
            )
            .into_bytes(),
            abort_reply: b"\x01",
        }),
        AuthMethod::Password | AuthMethod::Login => Err(offered(capabilities)),
    }
}

/// RFC 5801 7: `,` and `=` in the authorization identity are written `=2C` and `=3D`.
fn gs2_escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn offered(capabilities: &[String]) -> String {
    let mechanisms: Vec<&str> = capabilities
        .iter()
        .filter_map(|c| c.strip_prefix("AUTH="))
        .collect();
    if mechanisms.is_empty() {
        "no AUTH mechanisms, and LOGIN is disabled".to_string()
    } else {
        mechanisms.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn caps(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn password_prefers_plain_then_login() {
        let credential = Credential::Password(Secret::new("pw-test"));
        let with_plain = plan(
            AuthMethod::Password,
            "u",
            &credential,
            &caps(&["AUTH=PLAIN"]),
        );
        assert!(
            matches!(with_plain, Ok(LoginPlan::Sasl { mechanism: AuthMechanism::Plain, ref first, .. }) if first == b"\0u\0pw-test")
        );
        let without = plan(
            AuthMethod::Password,
            "u",
            &credential,
            &caps(&["IMAP4REV1"]),
        );
        assert!(matches!(without, Ok(LoginPlan::Login)));
        let disabled = plan(
            AuthMethod::Password,
            "u",
            &credential,
            &caps(&["LOGINDISABLED", "AUTH=GSSAPI"]),
        );
        assert_eq!(disabled.err().as_deref(), Some("GSSAPI"));
    }

    #[test]
    fn oauth_messages_follow_the_specs() {
        let token = Credential::OauthToken(Secret::new("tok-test"));
        let Ok(LoginPlan::Sasl { first, .. }) =
            plan(AuthMethod::Xoauth2, "a@example.org", &token, &[])
        else {
            panic!("xoauth2 plan");
        };
        assert_eq!(first, b"user=a@example.org\x01auth=Bearer tok-test\x01\x01");
        let Ok(LoginPlan::Sasl {
            first, abort_reply, ..
        }) = plan(AuthMethod::Oauthbearer, "a,b=c", &token, &[])
        else {
            panic!("oauthbearer plan");
        };
        assert_eq!(first, b"n,a=a=2Cb=3Dc,\x01auth=Bearer tok-test\x01\x01");
        assert_eq!(abort_reply, b"\x01");
    }
}
