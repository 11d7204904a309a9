//! What the page says, in French and in English, and which of the two a visitor reads: the
//! `lang` parameter (the page's language switch), else the browser's `Accept-Language`, else
//! French (MyUnisoft's customers are French firms).

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `lang` if it names a language of the page, else the best of `Accept-Language` (by its
    /// q-values; at most 32 entries are read), else French.
    pub fn negotiate(lang: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = lang.and_then(Lang::parse) {
            return lang;
        }
        let accepted = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut best: Option<(Lang, f32)> = None;
        for entry in accepted.split(',').take(32) {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else { continue };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::Fr, |(lang, _)| lang)
    }
}

/// Every sentence of the page. `{account}` stands for the API account's name (the product
/// asking for access).
pub struct Text {
    pub switch_label: &'static str,
    pub switch_to: &'static str,
    pub language_nav: &'static str,
    pub title: &'static str,
    pub asks_access: &'static str,
    pub what_access: &'static str,
    pub steps_title: &'static str,
    pub steps: [&'static str; 3],
    pub rights_hint: &'static str,
    pub key_label: &'static str,
    pub key_hint: &'static str,
    pub submit_key: &'static str,
    pub key_refused: &'static str,
    pub key_missing: &'static str,
    pub upstream_down: &'static str,
    pub folders_title: &'static str,
    pub folders_legend: &'static str,
    pub folders_hint: &'static str,
    pub folder_number: &'static str,
    pub submit_folders: &'static str,
    pub nothing_chosen: &'static str,
    pub other_key: &'static str,
    pub done_title: &'static str,
    pub done_body: &'static str,
    pub spent_title: &'static str,
    pub spent_body: &'static str,
    pub unknown_title: &'static str,
    pub unknown_body: &'static str,
    pub csrf_title: &'static str,
    pub csrf_body: &'static str,
    pub reload: &'static str,
    pub failed_title: &'static str,
    pub failed_body: &'static str,
    pub footer: &'static str,
}

pub static FR: Text = Text {
    switch_label: "English",
    switch_to: "Read this page in English",
    language_nav: "Langue",
    title: "Connecter MyUnisoft",
    asks_access: "{account} demande l'accès à votre comptabilité MyUnisoft.",
    what_access: "Avec votre clé d'API, {account} pourra lire vos dossiers (plan comptable, \
                  journaux, écritures, tiers) et y enregistrer des écritures. Votre clé est \
                  chiffrée et ne lui est jamais montrée.",
    steps_title: "Où trouver votre clé d'API MyUnisoft",
    steps: [
        "Dans MyUnisoft, ouvrez Paramètres > Connecteurs.",
        "En haut de l'écran, choisissez le mode Cabinet, cliquez sur le connecteur de \
         {account}, puis sur Générer.",
        "Copiez la clé aussitôt : elle ne s'affiche qu'une fois. Fermez ensuite la fenêtre sans \
         cliquer sur « Me déconnecter », qui désactiverait le connecteur.",
    ],
    rights_hint: "La clé a les droits de la personne qui la génère : pour partager tous vos \
                  dossiers, faites-la générer par un utilisateur qui les voit tous.",
    key_label: "Clé d'API MyUnisoft",
    key_hint: "Collez la clé entière, telle que MyUnisoft l'a affichée.",
    submit_key: "Vérifier et continuer",
    key_refused: "MyUnisoft a refusé cette clé. Vérifiez que vous l'avez copiée en entier, \
                  qu'elle a été générée en mode Cabinet et qu'elle n'a pas été révoquée, puis \
                  collez-la de nouveau. Rien n'a été enregistré.",
    key_missing: "Collez votre clé d'API MyUnisoft dans le champ ci-dessous.",
    upstream_down: "MyUnisoft n'a pas répondu à temps. Rien n'a été enregistré : réessayez dans \
                    un instant.",
    folders_title: "Choisissez les dossiers à partager",
    folders_legend: "Dossiers auxquels {account} aura accès",
    folders_hint: "Votre clé donne accès aux dossiers ci-dessous. Décochez ceux que {account} ne \
                   doit pas voir.",
    folder_number: "dossier n°",
    submit_folders: "Confirmer les dossiers",
    nothing_chosen: "Choisissez au moins un dossier.",
    other_key: "Utiliser une autre clé",
    done_title: "MyUnisoft est connecté",
    done_body: "{account} a désormais accès aux dossiers choisis. Vous pouvez fermer cette \
                fenêtre.",
    spent_title: "Ce lien a expiré",
    spent_body: "Ce lien d'activation a déjà servi, a expiré (il est valable 30 minutes) ou a \
                 reçu trop de clés. Demandez-en un nouveau à {account}.",
    unknown_title: "Lien invalide",
    unknown_body: "Ce lien d'activation n'existe pas. Vérifiez que vous avez ouvert le lien en \
                   entier, ou demandez-en un nouveau.",
    csrf_title: "Formulaire expiré",
    csrf_body: "Votre navigateur n'a pas renvoyé le jeton de sécurité du formulaire (les cookies \
                sont peut-être désactivés pour ce site). Rechargez la page et recommencez.",
    reload: "Recharger la page",
    failed_title: "Une erreur est survenue",
    failed_body: "La connexion n'a pas pu être enregistrée. Rien n'a été enregistré : \
                  réessayez dans un instant.",
    footer: "Connexion sécurisée par Passerelle",
};

pub static EN: Text = Text {
    switch_label: "Français",
    switch_to: "Lire cette page en français",
    language_nav: "Language",
    title: "Connect MyUnisoft",
    asks_access: "{account} asks for access to your MyUnisoft accounting.",
    what_access: "With your API key, {account} will read your folders (chart of accounts, \
                  journals, entries, third parties) and record entries in them. Your key is \
                  stored encrypted and never shown to them.",
    steps_title: "Where to find your MyUnisoft API key",
    steps: [
        "In MyUnisoft, open Settings > Connectors.",
        "At the top of the screen, choose Firm mode, click {account}'s connector, then \
         Generate.",
        "Copy the key at once: it is shown only once. Then close the window without clicking \
         \u{201c}Log me out\u{201d}, which would deactivate the connector.",
    ],
    rights_hint: "The key has the rights of whoever generates it: to share every folder, have it \
                  generated by a user who sees them all.",
    key_label: "MyUnisoft API key",
    key_hint: "Paste the whole key, as MyUnisoft showed it.",
    submit_key: "Check and continue",
    key_refused: "MyUnisoft refused this key. Check that you copied all of it, that it was \
                  generated in Firm mode and that it was not revoked, then paste it again. \
                  Nothing was saved.",
    key_missing: "Paste your MyUnisoft API key in the field below.",
    upstream_down: "MyUnisoft did not answer in time. Nothing was saved: try again in a moment.",
    folders_title: "Choose the folders to share",
    folders_legend: "Folders {account} will have access to",
    folders_hint: "Your key reaches the folders below. Untick those {account} must not see.",
    folder_number: "folder no.",
    submit_folders: "Confirm folders",
    nothing_chosen: "Choose at least one folder.",
    other_key: "Use another key",
    done_title: "MyUnisoft is connected",
    done_body: "{account} now has access to the folders you chose. You can close this window.",
    spent_title: "This link has expired",
    spent_body: "This activation link was already used, has expired (it lasts 30 minutes) or \
                 was given too many keys. Ask {account} for a new one.",
    unknown_title: "Invalid link",
    unknown_body: "This activation link does not exist. Check that you opened the whole link, \
                   or ask for a new one.",
    csrf_title: "The form expired",
    csrf_body: "Your browser did not send back the form's security token (cookies may be off \
                for this site). Reload the page and try again.",
    reload: "Reload the page",
    failed_title: "Something went wrong",
    failed_body: "The connection could not be saved. Nothing was saved: try again in a moment.",
    footer: "Secure connection by Passerelle",
};

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_switch_wins_then_the_best_accepted_language_then_french() {
        assert_eq!(Lang::negotiate(Some("en"), &accepting("fr-FR")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), &accepting("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, &accepting("de-DE,en;q=0.5,fr;q=0.8")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, &accepting("de-DE,en;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(None, &accepting("fr;q=0,en;q=0.1")), Lang::En);
        assert_eq!(Lang::negotiate(None, &accepting("de, it")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::Fr);
    }
}
