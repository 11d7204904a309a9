//! The page's HTML, one function per state, written with `maud`: the templates are checked when
//! the gateway is compiled, and every value spliced in (the account's name, a folder's name) is
//! escaped. No script, no inline style, nothing from another origin: the stylesheet and the
//! software's logo are the gateway's own (relative links, so a path prefix in front of the gateway
//! keeps working).

use maud::{html, Markup, DOCTYPE};

use super::text::{Lang, Text};
use crate::domain::accounting::Folder;
use crate::domain::connection::ConnectorKind;

/// What every page shows around its content.
pub struct Frame<'a> {
    pub lang: Lang,
    /// The product asking for access, when the link is known.
    pub account: Option<&'a str>,
    pub kind: ConnectorKind,
}

impl Frame<'_> {
    fn text(&self) -> &'static Text {
        self.lang.text()
    }

    /// `text` with its `{account}` placeholders replaced by the account's name, in bold.
    fn with_account(&self, text: &str) -> Markup {
        let account = self.account.unwrap_or("—");
        let mut parts = text.split("{account}");
        let first = parts.next().unwrap_or_default();
        html! {
            (first)
            @for part in parts { strong { (account) } (part) }
        }
    }

    fn layout(&self, title: &str, content: Markup) -> Markup {
        let t = self.text();
        let other = self.lang.other();
        html! {
            (DOCTYPE)
            html lang=(self.lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="referrer" content="no-referrer";
                    title { (title) " · Passerelle" }
                    link rel="stylesheet" href="assets/connect.css";
                }
                body {
                    header class="top" {
                        span class="brand" { "Passerelle" }
                        nav aria-label=(t.language_nav) {
                            a href={ "?lang=" (other.code()) } hreflang=(other.code())
                                lang=(other.code()) title=(other.text().switch_to) {
                                (t.switch_label)
                            }
                        }
                    }
                    main class="card" {
                        (content)
                    }
                    footer { p { (t.footer) } }
                }
            }
        }
    }

    fn logo(&self) -> Markup {
        let src = format!("../integrations/{}/logo.svg", self.kind.integration_id());
        html! { img class="logo" src=(src) alt=(self.kind.name()) width="160" height="40"; }
    }

    fn hidden(&self, csrf: &str, step: &str) -> Markup {
        html! {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="step" value=(step);
            input type="hidden" name="lang" value=(self.lang.code());
        }
    }
}

fn alert(error: Option<&str>, id: &str) -> Markup {
    html! {
        @if let Some(error) = error {
            p class="alert" id=(id) role="alert" { (error) }
        }
    }
}

/// The first step: who asks, where the key is made, the key's field.
pub fn key_form(f: &Frame, csrf: &str, error: Option<&str>) -> Markup {
    let t = f.text();
    let described = if error.is_some() { "key-error key-hint" } else { "key-hint" };
    let content = html! {
        (f.logo())
        h1 { (t.title) }
        p class="lead" { (f.with_account(t.asks_access)) }
        p { (f.with_account(t.what_access)) }
        section aria-labelledby="steps-title" {
            h2 id="steps-title" { (t.steps_title) }
            ol class="steps" {
                @for step in t.steps { li { (f.with_account(step)) } }
            }
            p class="note" { (t.rights_hint) }
        }
        form method="post" {
            (f.hidden(csrf, "key"))
            (alert(error, "key-error"))
            label for="api_token" { (t.key_label) }
            p class="hint" id="key-hint" { (t.key_hint) }
            input type="password" id="api_token" name="api_token" required
                autocomplete="off" spellcheck="false" autocapitalize="off"
                maxlength="4096" aria-describedby=(described)
                aria-invalid=(if error.is_some() { "true" } else { "false" });
            button type="submit" { (t.submit_key) }
        }
    };
    f.layout(t.title, content)
}

/// The second step of a firm key: the folders it reaches, all ticked.
pub fn folders_form(f: &Frame, csrf: &str, folders: &[Folder], error: Option<&str>) -> Markup {
    let t = f.text();
    let content = html! {
        (f.logo())
        h1 { (t.folders_title) }
        form method="post" {
            (f.hidden(csrf, "folders"))
            (alert(error, "folders-error"))
            fieldset {
                legend { (f.with_account(t.folders_legend)) }
                p class="hint" { (f.with_account(t.folders_hint)) }
                ul class="folders" {
                    @for folder in folders {
                        @let id = format!("folder-{}", folder.id);
                        li {
                            input type="checkbox" id=(id) name="folder" value=(folder.id) checked;
                            label for=(id) {
                                span class="name" { (folder.name) }
                                span class="meta" { (t.folder_number) " " (folder.id) }
                            }
                        }
                    }
                }
            }
            button type="submit" { (t.submit_folders) }
        }
        p class="secondary" {
            a href={ "?lang=" (f.lang.code()) "&step=key" } { (t.other_key) }
        }
    };
    f.layout(t.folders_title, content)
}

/// A page that only says something: done, spent, unknown, a refused form, a failure; with a
/// link back to the page when trying again makes sense.
pub fn message(f: &Frame, title: &str, body: &str, again: Option<&str>) -> Markup {
    let content = html! {
        h1 { (title) }
        p class="lead" { (f.with_account(body)) }
        @if let Some(again) = again {
            p { a class="button" href={ "?lang=" (f.lang.code()) } { (again) } }
        }
    };
    f.layout(title, content)
}

/// The stylesheet, served as `/connect/assets/connect.css`.
pub const CSS: &str = include_str!("../../assets/connect/connect.css");

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(account: &'static str) -> Frame<'static> {
        Frame { lang: Lang::En, account: Some(account), kind: ConnectorKind::MyUnisoft }
    }

    #[test]
    fn values_are_escaped() {
        let page = key_form(&frame("<script>alert(1)</script> & Co"), "c\"srf", None).into_string();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(page.contains(r#"value="c&quot;srf""#));
    }

    #[test]
    fn the_key_form_is_labelled_and_in_the_visitors_language() {
        let page = key_form(&frame("Acme"), "tok", Some("refused")).into_string();
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        assert!(page.contains(r#"<label for="api_token">"#));
        assert!(page.contains(r#"name="api_token""#));
        assert!(page.contains(r#"role="alert""#) && page.contains("refused"));
        assert!(page.contains(r#"aria-describedby="key-error key-hint""#));
        assert!(page.contains("Settings &gt; Connectors"));
        assert!(!page.contains("<script") && !page.contains("style="));
        let fr = key_form(&Frame { lang: Lang::Fr, ..frame("Acme") }, "tok", None).into_string();
        assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Paramètres &gt; Connecteurs"));
    }

    #[test]
    fn every_folder_is_a_ticked_checkbox_named_folder() {
        let folder = |id: &str, name: &str| Folder {
            id: id.into(),
            name: name.into(),
            selected: Some(true),
            active: Some(true),
            vat: None,
            company_number: None,
            main_currency: None,
            addresses: None,
        };
        let folders = [folder("4821", "BOULANGERIE DU PORT"), folder("4822", "GARAGE <ALPES>")];
        let page = folders_form(&frame("Acme"), "tok", &folders, None).into_string();
        assert_eq!(page.matches(r#"type="checkbox""#).count(), 2);
        assert_eq!(page.matches(r#"name="folder""#).count(), 2);
        assert_eq!(page.matches(" checked").count(), 2);
        assert!(page.contains(r#"<label for="folder-4822">"#));
        assert!(page.contains("GARAGE &lt;ALPES&gt;"));
    }
}
