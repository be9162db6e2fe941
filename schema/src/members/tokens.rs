//! Member tokens: short-lived bearer tokens that an organization's backend mints for one member's
//! app (`issueMemberToken`). They are signed with HMAC-SHA256 and checked without a lookup, then
//! the member is checked to still exist.
//!
//! A token belongs to a session that an organization key opened with `issueMemberToken`: the
//! session lasts at most [`MAX_SESSION_HOURS`], refreshing a token never extends it, and
//! revoking the key that opened it ends every token of the session.
//!
//! Format: `kinship_mt.<payload>.<signature>`, both base64url; the payload is
//! `v1|<organization>|<member>|<expiry>|<session end>|<opening key>` (UUIDs, Unix seconds). The
//! signing secret is `KINSHIP_TOKEN_SECRET` when set (every instance must share it), else one
//! generated on first start and kept in the database.

use crate::db::tables::instance_secrets;
use crate::db::{DbConnection, Id, Ts};
use crate::error::{ApiError, ApiResult};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// Every member token starts with this.
pub const MEMBER_TOKEN_PREFIX: &str = "kinship_mt.";

/// Shortest and longest lifetimes a token may be issued with, in minutes.
pub const TTL_MINUTES: std::ops::RangeInclusive<i32> = 1..=1440;

/// How long a session opened by an organization key lasts, refreshes included.
pub const MAX_SESSION_HOURS: i64 = 24;

const SECRET_NAME: &str = "member_token_hmac";

/// The session a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// When the session ends, whatever refreshes happen.
    pub ends_at: DateTime<Utc>,
    /// The API key that opened it; revoking the key ends the session.
    pub key_id: Id,
}

impl Session {
    /// A new session opened now by `key_id`.
    pub fn open(key_id: Id) -> Session {
        Session {
            ends_at: DateTime::from_timestamp(
                (Utc::now() + Duration::hours(MAX_SESSION_HOURS)).timestamp(),
                0,
            )
            .unwrap_or_else(Utc::now),
            key_id,
        }
    }
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberClaims {
    /// The member's organization.
    pub organization_id: Id,
    /// The member.
    pub member_id: Id,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The session it belongs to.
    pub session: Session,
}

/// Signs and checks member tokens.
#[derive(Clone)]
pub struct TokenSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

impl TokenSigner {
    /// A signer with this secret.
    pub fn new(secret: &[u8]) -> TokenSigner {
        TokenSigner {
            key: secret.to_vec(),
        }
    }

    /// The configured secret, or the database's (created on first use).
    pub fn load(conn: &mut DbConnection, configured: Option<&str>) -> ApiResult<TokenSigner> {
        if let Some(secret) = configured {
            return Ok(TokenSigner::new(secret.as_bytes()));
        }
        let stored = |conn: &mut DbConnection| -> ApiResult<Option<String>> {
            Ok(instance_secrets::table
                .find(SECRET_NAME)
                .select(instance_secrets::value)
                .first(conn)
                .optional()?)
        };
        if let Some(secret) = stored(conn)? {
            return Ok(TokenSigner::new(secret.as_bytes()));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let inserted = diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(SECRET_NAME),
                instance_secrets::value.eq(URL_SAFE_NO_PAD.encode(bytes)),
                instance_secrets::created_at.eq(Ts::now()),
            ))
            .execute(conn);
        match inserted {
            // Another instance created it first; use theirs.
            Ok(_) | Err(diesel::result::Error::DatabaseError(_, _)) => {}
            Err(e) => return Err(e.into()),
        }
        let secret = stored(conn)?.ok_or_else(|| ApiError::internal("signing secret missing"))?;
        Ok(TokenSigner::new(secret.as_bytes()))
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// Mints a token for a member, valid for `ttl` but never past the end of its session.
    pub fn issue(
        &self,
        organization_id: Id,
        member_id: Id,
        ttl: Duration,
        session: Session,
    ) -> (String, DateTime<Utc>) {
        let expires = (Utc::now() + ttl)
            .timestamp()
            .min(session.ends_at.timestamp());
        let payload = format!(
            "v1|{}|{}|{expires}|{}|{}",
            organization_id.0,
            member_id.0,
            session.ends_at.timestamp(),
            session.key_id.0
        );
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = mac.finalize().into_bytes();
        let token = format!(
            "{MEMBER_TOKEN_PREFIX}{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature)
        );
        (
            token,
            DateTime::from_timestamp(expires, 0).unwrap_or_else(Utc::now),
        )
    }

    /// The claims of a well-signed, unexpired token.
    pub fn verify(&self, token: &str) -> Option<MemberClaims> {
        let rest = token.strip_prefix(MEMBER_TOKEN_PREFIX)?;
        let (payload, signature) = rest.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&signature).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let mut parts = payload.split('|');
        if parts.next()? != "v1" {
            return None;
        }
        let organization_id = Id(parts.next()?.parse().ok()?);
        let member_id = Id(parts.next()?.parse().ok()?);
        let expires_at = DateTime::from_timestamp(parts.next()?.parse().ok()?, 0)?;
        let ends_at = DateTime::from_timestamp(parts.next()?.parse().ok()?, 0)?;
        let key_id = Id(parts.next()?.parse().ok()?);
        (expires_at > Utc::now()).then_some(MemberClaims {
            organization_id,
            member_id,
            expires_at,
            session: Session { ends_at, key_id },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_they_expire_and_resist_tampering() {
        let signer = TokenSigner::new(b"a test secret of enough length!!");
        let (org, member, key) = (Id::new(), Id::new(), Id::new());
        let session = Session::open(key);
        let (token, _) = signer.issue(org, member, Duration::minutes(5), session);
        let claims = signer.verify(&token).expect("valid");
        assert_eq!((claims.organization_id, claims.member_id), (org, member));
        assert_eq!(claims.session, session);

        let other = TokenSigner::new(b"another secret of enough length!");
        assert!(other.verify(&token).is_none(), "another secret rejects it");
        let (expired, _) = signer.issue(org, member, Duration::minutes(-1), session);
        assert!(signer.verify(&expired).is_none(), "expired");
        let mut tampered = token.clone();
        tampered.insert(MEMBER_TOKEN_PREFIX.len() + 3, 'A');
        assert!(signer.verify(&tampered).is_none(), "tampered");

        let ending = Session {
            ends_at: Utc::now() + Duration::minutes(2),
            key_id: key,
        };
        let (_, expires) = signer.issue(org, member, Duration::hours(5), ending);
        assert!(
            expires <= ending.ends_at,
            "a refresh never outlives its session"
        );
    }
}
