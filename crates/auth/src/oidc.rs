//! OpenID Connect login (authorization-code flow with PKCE, RFC 7636) and ID-token validation, as
//! pure functions. The web crate does the redirects and the back-channel token request.
//!
//! Validation follows OpenID Connect Core §3.1.3.7: RS256 signature with a key from the
//! provider's JWKS (by `kid`), `iss` equal to the configured issuer, `aud` containing the client
//! id (and `azp` equal to it when there are several audiences), `exp` in the future and `iat` not
//! in the future (60 s leeway), and `nonce` equal to the one sent. Microsoft Entra ID and Google
//! Workspace both sign ID tokens with RS256.

use rsa::{BoxedUint, Pkcs1v15Sign, PublicKey as RsaPublicKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::AuthError;
use crate::encoding::{b64url, b64url_decode};
use crate::session::random_token;

/// Clock leeway for `exp` and `iat`.
pub const LEEWAY_SECONDS: i64 = 60;

/// The secrets of one login attempt, kept server-side in the (anonymous) session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct LoginAttempt {
    pub state: String,
    pub nonce: String,
    /// The PKCE code verifier (43 characters of base64url).
    pub verifier: String,
}

impl LoginAttempt {
    pub fn new() -> Result<Self, AuthError> {
        Ok(Self { state: random_token(32)?, nonce: random_token(32)?, verifier: random_token(32)? })
    }
    /// The S256 code challenge.
    pub fn challenge(&self) -> String {
        challenge_of(&self.verifier)
    }
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub fn challenge_of(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The URL to send the browser to.
pub fn authorization_url(auth_url: &str, client_id: &str, redirect_uri: &str, a: &LoginAttempt) -> String {
    let sep = if auth_url.contains('?') { '&' } else { '?' };
    format!(
        "{auth_url}{sep}response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}\
         &code_challenge={}&code_challenge_method=S256",
        enc(client_id),
        enc(redirect_uri),
        enc("openid email profile"),
        enc(&a.state),
        enc(&a.nonce),
        a.challenge()
    )
}

/// The form of the back-channel token request.
pub fn token_request(
    code: &str,
    redirect_uri: &str,
    client_id: &str,
    client_secret: &str,
    verifier: &str,
) -> Vec<(String, String)> {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("code_verifier", verifier),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// What the ID token must say.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: OffsetDateTime,
}

/// The claims Schoolscan uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdClaims {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// Authentication methods (`amr`): contains `mfa` when the provider did a second factor.
    pub amr: Vec<String>,
}

impl IdClaims {
    /// The stable key of this identity: `issuer|subject`.
    pub fn key(&self) -> String {
        format!("{}|{}", self.issuer, self.subject)
    }
    pub fn did_mfa(&self) -> bool {
        self.amr.iter().any(|m| m == "mfa")
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Aud {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Aud,
    exp: i64,
    iat: i64,
    nonce: Option<String>,
    azp: Option<String>,
    email: Option<String>,
    name: Option<String>,
    #[serde(default)]
    amr: Vec<String>,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

fn bad(why: &str) -> AuthError {
    AuthError::Oidc(why.to_owned())
}

/// Validate an ID token against the provider's JWKS document and the expectations.
pub fn validate_id_token(jwt: &str, jwks_json: &str, exp: &Expected<'_>) -> Result<IdClaims, AuthError> {
    let mut parts = jwt.split('.');
    let (Some(h64), Some(c64), Some(s64), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("geen JWT"));
    };
    let header: Header =
        serde_json::from_slice(&b64url_decode(h64).ok_or_else(|| bad("kop"))?).map_err(|_| bad("kop"))?;
    if header.alg != "RS256" {
        return Err(bad("algoritme niet toegestaan"));
    }
    let jwks: Jwks = serde_json::from_str(jwks_json).map_err(|_| bad("sleutelset"))?;
    let key = jwks
        .keys
        .iter()
        .filter(|k| k.kty == "RSA")
        .find(|k| header.kid.is_none() || k.kid == header.kid)
        .ok_or_else(|| bad("onbekende sleutel"))?;
    let n = b64url_decode(key.n.as_deref().unwrap_or_default()).ok_or_else(|| bad("sleutel"))?;
    let e = b64url_decode(key.e.as_deref().unwrap_or_default()).ok_or_else(|| bad("sleutel"))?;
    let pk = RsaPublicKey::new(BoxedUint::from_be_slice_vartime(&n), BoxedUint::from_be_slice_vartime(&e))
        .map_err(|_| bad("sleutel"))?;
    let sig = b64url_decode(s64).ok_or_else(|| bad("handtekening"))?;
    let signed = &jwt[..h64.len() + 1 + c64.len()];
    let digest = Sha256::digest(signed.as_bytes());
    pk.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &sig).map_err(|_| bad("handtekening klopt niet"))?;

    let c: Claims = serde_json::from_slice(&b64url_decode(c64).ok_or_else(|| bad("claims"))?)
        .map_err(|_| bad("claims"))?;
    if c.iss != exp.issuer {
        return Err(bad("verkeerde uitgever"));
    }
    let auds = match &c.aud {
        Aud::One(a) => vec![a.as_str()],
        Aud::Many(v) => v.iter().map(String::as_str).collect(),
    };
    if !auds.contains(&exp.client_id) {
        return Err(bad("niet voor deze toepassing"));
    }
    if auds.len() > 1 && c.azp.as_deref() != Some(exp.client_id) {
        return Err(bad("azp"));
    }
    let now = exp.now.unix_timestamp();
    if c.exp + LEEWAY_SECONDS <= now {
        return Err(bad("verlopen"));
    }
    if c.iat - LEEWAY_SECONDS > now {
        return Err(bad("uit de toekomst"));
    }
    if c.nonce.as_deref() != Some(exp.nonce) {
        return Err(bad("nonce"));
    }
    Ok(IdClaims { issuer: c.iss, subject: c.sub, email: c.email, name: c.name, amr: c.amr })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    #[test]
    fn pkce_s256_vector() {
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn auth_url_carries_pkce_state_and_nonce() {
        let a = LoginAttempt::new().unwrap();
        assert_eq!(a.verifier.len(), 43);
        let u = authorization_url("https://idp.example/authorize", "client 1", "https://app/terug", &a);
        assert!(u.starts_with("https://idp.example/authorize?response_type=code&client_id=client%201&"));
        assert!(u.contains(&format!("state={}", a.state)));
        assert!(u.contains(&format!("nonce={}", a.nonce)));
        assert!(u.contains(&format!("code_challenge={}&code_challenge_method=S256", a.challenge())));
    }

    #[test]
    fn garbage_tokens_are_refused() {
        let e = Expected { issuer: "i", client_id: "c", nonce: "n", now: OffsetDateTime::UNIX_EPOCH };
        assert!(validate_id_token("a.b", "{\"keys\":[]}", &e).is_err());
        let none_alg = format!("{}.{}.", b64url(br#"{"alg":"none"}"#), b64url(br#"{"iss":"i"}"#));
        assert!(validate_id_token(&none_alg, "{\"keys\":[]}", &e).is_err());
    }
}
