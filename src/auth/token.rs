//! Access tokens: HS256 JWTs of 30 minutes (chift-conventions.md §e), issued and checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{AppError, Result};

/// Lifetime of an access token, in seconds (Chift: 30 minutes).
pub const TOKEN_LIFETIME: i64 = 1800;
const ISSUER: &str = "passerelle";
const AUDIENCE: &str = "passerelle-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Signs and checks access tokens: HS256 only, `iss`, `aud` and `exp` required and checked.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        }
    }

    /// A token for `account`, valid from `now` (Unix seconds) for [`TOKEN_LIFETIME`].
    pub fn issue(&self, account: Uuid, now: i64) -> Result<Token> {
        let claims = Claims {
            sub: account.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + TOKEN_LIFETIME,
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                .map_err(|e| AppError::Internal(format!("token signing failed: {e}")))?;
        Ok(Token {
            access_token,
            token_type: "bearer",
            expires_in: TOKEN_LIFETIME,
            expires_on: claims.exp,
        })
    }

    /// The account a valid token was issued to.
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Uuid::parse_str(&data.claims.sub).ok()
    }
}

/// `Token`: `expires_on` is absolute Unix time in seconds, which the SDK depends on.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub access_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    #[schema(example = 1800)]
    pub expires_in: i64,
    pub expires_on: i64,
}

/// Shows when the token expires, never the token.
impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("token_type", &self.token_type)
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = keys("0123456789abcdef0123456789abcdef").issue(Uuid::new_v4(), 0).unwrap();
        let shown = format!("{token:?}");
        assert!(!shown.contains(&token.access_token) && shown.contains("expires_on"), "{shown}");
    }

    fn keys(secret: &str) -> JwtKeys {
        JwtKeys::new(&SecretString::from(secret.to_owned()))
    }

    #[test]
    fn an_issued_token_verifies_to_its_account() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let account = Uuid::new_v4();
        let now = chrono::Utc::now().timestamp();
        let token = keys.issue(account, now).unwrap();
        assert_eq!(token.expires_on, now + 1800);
        assert_eq!(keys.verify(&token.access_token), Some(account));
    }

    #[test]
    fn expired_forged_and_unsigned_tokens_are_refused() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let account = Uuid::new_v4();
        let expired = keys.issue(account, chrono::Utc::now().timestamp() - 3600).unwrap();
        assert_eq!(keys.verify(&expired.access_token), None);
        let other = self::keys("another-secret-another-secret-xx");
        let forged = other.issue(account, chrono::Utc::now().timestamp()).unwrap();
        assert_eq!(keys.verify(&forged.access_token), None);
        let mut parts: Vec<&str> = forged.access_token.split('.').collect();
        let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        parts[0] = none_header;
        assert_eq!(keys.verify(&format!("{}.{}.", parts[0], parts[1])), None);
    }
}
