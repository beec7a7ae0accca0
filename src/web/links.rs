//! Where a page links to: the server's routes with query strings, or the static site's
//! files by relative paths (which any static host serves, from any folder).

use pactlog::model::{Day, EventId, PartyId};

/// The time axes a page is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Axes {
    /// The day the state is for.
    pub as_of: Option<Day>,
    /// Only what was disclosed by this day.
    pub known_at: Option<Day>,
}

/// How pages link to each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Links {
    /// `pactlog serve`: absolute paths, the axes in query strings, forms that ask.
    Server,
    /// `pactlog site`: relative `.html` paths from a page `depth` folders below the
    /// site's root, for the one day the site is written for.
    Site {
        /// Folders between the page and the root.
        depth: usize,
        /// Whether the site holds inclusion proofs (`proof/ID.txt`).
        proofs: bool,
    },
}

impl Links {
    /// Whether pages can ask the server (forms with query strings).
    pub fn can_ask(&self) -> bool {
        matches!(self, Links::Server)
    }

    fn root(depth: usize) -> String {
        "../".repeat(depth)
    }

    fn query(axes: &Axes) -> String {
        let mut parts = Vec::new();
        if let Some(d) = axes.as_of {
            parts.push(format!("as_of={d}"));
        }
        if let Some(d) = axes.known_at {
            parts.push(format!("known_at={d}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The list of relationships.
    pub fn home(&self, as_of: Option<Day>) -> String {
        match self {
            Links::Server => format!(
                "/{}",
                Links::query(&Axes {
                    as_of,
                    known_at: None
                })
            ),
            Links::Site { depth, .. } => format!("{}index.html", Links::root(*depth)),
        }
    }

    /// One relationship's timeline.
    pub fn pair(&self, a: &PartyId, b: &PartyId, axes: &Axes) -> String {
        match self {
            Links::Server => format!("/pair/{a}/{b}{}", Links::query(axes)),
            Links::Site { depth, .. } => format!("{}pair/{a}/{b}.html", Links::root(*depth)),
        }
    }

    /// One event.
    pub fn event(&self, id: &EventId) -> String {
        match self {
            Links::Server => format!("/event/{id}"),
            Links::Site { depth, .. } => format!("{}event/{id}.html", Links::root(*depth)),
        }
    }

    /// One party's relationships.
    pub fn party(&self, id: &PartyId, as_of: Option<Day>) -> String {
        match self {
            Links::Server => format!(
                "/party/{id}{}",
                Links::query(&Axes {
                    as_of,
                    known_at: None
                })
            ),
            Links::Site { depth, .. } => format!("{}party/{id}.html", Links::root(*depth)),
        }
    }

    /// The conflicts on a day.
    pub fn conflicts(&self, as_of: Option<Day>) -> String {
        match self {
            Links::Server => format!(
                "/conflicts{}",
                Links::query(&Axes {
                    as_of,
                    known_at: None
                })
            ),
            Links::Site { depth, .. } => format!("{}conflicts.html", Links::root(*depth)),
        }
    }

    /// The inclusion proof of an event, if there is one to link to.
    pub fn proof(&self, id: &EventId) -> Option<String> {
        match self {
            Links::Server => Some(format!("/api/proof/inclusion/{id}")),
            Links::Site { depth, proofs } => {
                proofs.then(|| format!("{}proof/{id}.txt", Links::root(*depth)))
            }
        }
    }

    /// An embedded asset.
    pub fn asset(&self, name: &str) -> String {
        match self {
            Links::Server => format!("/assets/{name}"),
            Links::Site { depth, .. } => format!("{}assets/{name}", Links::root(*depth)),
        }
    }

    /// The events of a relationship between two days, for an aggregated mark (the
    /// server's log; the site has no such file).
    pub fn log_between(&self, a: &PartyId, b: &PartyId, from: Day, to: Day) -> Option<String> {
        match self {
            Links::Server => Some(format!(
                "/api/log?pair={a},{b}&since={from}&until={to}&format=table"
            )),
            Links::Site { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_links_are_relative_to_the_page_and_server_links_carry_the_axes() {
        let (a, b) = (PartyId::new("a").unwrap(), PartyId::new("b").unwrap());
        let e = EventId::new("e-1").unwrap();
        let axes = Axes {
            as_of: Some(Day::parse("2026-03-20").unwrap()),
            known_at: Some(Day::parse("2026-03-01").unwrap()),
        };
        let site = Links::Site {
            depth: 2,
            proofs: false,
        };
        assert_eq!(site.pair(&a, &b, &axes), "../../pair/a/b.html");
        assert_eq!(site.event(&e), "../../event/e-1.html");
        assert_eq!(site.asset("style.css"), "../../assets/style.css");
        assert_eq!(site.proof(&e), None);
        assert_eq!(
            Links::Server.pair(&a, &b, &axes),
            "/pair/a/b?as_of=2026-03-20&known_at=2026-03-01"
        );
        assert_eq!(Links::Server.home(None), "/");
    }
}
