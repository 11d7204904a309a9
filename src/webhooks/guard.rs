//! Where a webhook may point: `https://` URLs whose host resolves to public addresses only — no
//! loopback, private, shared, link-local (cloud metadata included), multicast or unspecified
//! address. Checked when a webhook is subscribed or its URL changed, and again at every delivery
//! on the addresses actually connected to ([`GuardedResolver`]), so a name that later resolves
//! inward is refused. `PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true` lifts both rules (`http://`
//! allowed too: receivers on an internal network seldom have certificates).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Why a URL is refused, said to the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// `true` for addresses a webhook must not reach.
pub fn is_inward(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => inward_v4(v4),
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254, the EC2 metadata)
                || (first & 0xffc0) == 0xfe80 // link-local
                || embedded_v4(v6).is_some_and(inward_v4)
        }
    }
}

/// The IPv4 address an IPv6 address carries, where it reaches that IPv4 host: IPv4-mapped
/// `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052) and 6to4
/// `2002:aabb:ccdd::/48` (RFC 3056).
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let [.., a, b, c, d] = v6.octets();
    let tail = Ipv4Addr::new(a, b, c, d);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified() {
        return Some(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        let [_, _, a, b, c, d, ..] = v6.octets();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

/// The one answer to a URL whose host does not resolve or resolves inward: it says neither which
/// (nor any address), so the check cannot serve to map a private network's names.
const NOT_PUBLIC: &str = "must name a host that resolves to public addresses only (no loopback, \
                          private, shared, link-local, metadata or reserved address)";

fn inward_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16: 169.254.169.254 is the cloud metadata service
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
}

/// Checks a webhook URL's shape, then resolves its host and checks every address.
pub async fn check(url: &str, allow_private: bool) -> Result<Url, Refused> {
    let parsed = Url::parse(url).map_err(|e| Refused(format!("is not a URL ({e})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(Refused("must be an https:// URL".into())),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refused("must not hold a user name or password".into()));
    }
    let host = parsed.host_str().ok_or_else(|| Refused("must name a host".into()))?;
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = bare(host);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| Refused(NOT_PUBLIC.into()))?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| is_inward(a.ip())) {
        return Err(Refused(NOT_PUBLIC.into()));
    }
    Ok(parsed)
}

/// Whether a delivery may be sent to `url` before any name is resolved: an `https://` URL, to a
/// public address when the host is one (a literal address is not resolved, so not seen by
/// [`GuardedResolver`]). Always when private addresses are allowed.
pub fn may_send(url: &Url, allow_private: bool) -> bool {
    let literal = url.host_str().and_then(|h| bare(h).parse::<IpAddr>().ok());
    allow_private || (url.scheme() == "https" && !literal.is_some_and(is_inward))
}

/// A URL's host without the brackets of an IPv6 address.
fn bare(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// The delivery client's resolver: answers only public addresses (or all of them when private
/// ones are allowed), so the address connected to is the address checked.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found.filter(|a| allow || !is_inward(a.ip())).collect();
            if kept.is_empty() {
                let refused = Refused(format!(
                    "{} resolves to no public address; delivery refused",
                    name.as_str()
                ));
                return Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inward_addresses_are_named() {
        for inward in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::169.254.169.254",
            "64:ff9b::10.1.2.3",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101:1::5",
        ] {
            assert!(is_inward(inward.parse().unwrap()), "{inward}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "::1.1.1.1",
            "64:ff9b::1.1.1.1",
            "2002:5db8:d822::1",
        ] {
            assert!(!is_inward(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_delivery_goes_to_https_and_no_inward_literal_address_unless_allowed() {
        let may = |u: &str, allow| may_send(&Url::parse(u).unwrap(), allow);
        assert!(may("https://hooks.example.com/in", false));
        assert!(may("https://93.184.216.34/in", false));
        assert!(!may("http://hooks.example.com/in", false));
        assert!(!may("https://127.0.0.1:8443/in", false));
        assert!(!may("https://[::ffff:10.0.0.7]/in", false));
        assert!(may("http://127.0.0.1:9/in", true));
    }

    #[tokio::test]
    async fn urls_must_be_https_and_public_unless_allowed() {
        let refused = |u: &'static str| async move { check(u, false).await.unwrap_err().0 };
        assert!(refused("http://example.com/hook").await.contains("https"));
        // Inward or unresolvable: one answer, naming no address.
        for inward in [
            "https://169.254.169.254/latest",
            "https://10.0.0.5/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://does-not-resolve.invalid/hook",
        ] {
            let why = refused(inward).await;
            assert_eq!(why, NOT_PUBLIC, "{inward}");
        }
        assert!(refused("https://u:p@example.com/").await.contains("password"));
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
