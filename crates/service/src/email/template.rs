//! Email templates: `{{variable}}` placeholders, a default, and rendering.
//!
//! Staff write templates, so the language is deliberately tiny: `{{name}}` inserts a variable
//! and `{{name|fallback}}` inserts the fallback text when the variable is empty (a recipient
//! without a name: `Hello {{recipient_name|there}}`). There are no loops, conditions or
//! includes, nothing a template can do but fill in text. Unknown variables and unclosed
//! braces are refused when a template is saved or previewed, naming the variable, so a typo
//! never reaches a recipient as `{{badge_nmae}}`. In HTML bodies every value is escaped.

use laurel_store::EmailTemplate;

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{{` without its `}}`.
    #[error("{part}: \"{{{{\" at character {at} is never closed with \"}}}}\"")]
    Unclosed {
        /// `subject`, `text` or `html`.
        part: &'static str,
        /// Where (in characters).
        at: usize,
    },
    /// A variable the templates do not have.
    #[error("{part}: unknown variable {{{{{name}}}}}; the variables are {}", VARIABLES.join(", "))]
    Unknown {
        /// `subject`, `text` or `html`.
        part: &'static str,
        /// The name written.
        name: String,
    },
    /// A part is empty, or too long.
    #[error("{0}")]
    Invalid(String),
}

/// Every variable a template may use.
pub const VARIABLES: [&str; 13] = [
    "recipient_name",
    "recipient_email",
    "badge_name",
    "badge_description",
    "issuer_name",
    "issued_on",
    "credential_url",
    "linkedin_url",
    "verify_url",
    "badge_image_url",
    "issuer_color",
    "claim_url",
    "role",
];

/// The longest subject accepted, in characters.
pub const MAX_SUBJECT: usize = 300;
/// The longest body accepted, in bytes: an email that links to its credential needs no more.
pub const MAX_BODY: usize = 64 * 1024;

/// The values one email fills in, by [`VARIABLES`] name.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// The recipient's name, or empty.
    pub recipient_name: String,
    /// The recipient's email address.
    pub recipient_email: String,
    /// The achievement's name.
    pub badge_name: String,
    /// The achievement's description.
    pub badge_description: String,
    /// The issuer's name.
    pub issuer_name: String,
    /// The award date, `2026-03-01`.
    pub issued_on: String,
    /// The credential's public page.
    pub credential_url: String,
    /// The link to add the badge to a LinkedIn profile: through this site
    /// (`/credentials/{id}/linkedin`), which refuses while the badge is revoked or suspended.
    pub linkedin_url: String,
    /// The service's verify page.
    pub verify_url: String,
    /// The badge's picture as a PNG (email programs show no SVG): the achievement's own PNG,
    /// else the credential baked into one.
    pub badge_image_url: String,
    /// The issuer's colour, `#rrggbb` (a neutral one when it has none).
    pub issuer_color: String,
    /// The recipient's personal claim link, for adding the badge to a wallet: minted when the
    /// email is composed (a preview shows an example that leads nowhere).
    pub claim_url: String,
    /// The recipient's role in this award (`Presenter`, `Mentor`, the issuer's own words), or
    /// empty: `{{role|participant}}` for a fallback.
    pub role: String,
}

impl Values {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "recipient_name" => &self.recipient_name,
            "recipient_email" => &self.recipient_email,
            "badge_name" => &self.badge_name,
            "badge_description" => &self.badge_description,
            "issuer_name" => &self.issuer_name,
            "issued_on" => &self.issued_on,
            "credential_url" => &self.credential_url,
            "linkedin_url" => &self.linkedin_url,
            "verify_url" => &self.verify_url,
            "badge_image_url" => &self.badge_image_url,
            "issuer_color" => &self.issuer_color,
            "claim_url" => &self.claim_url,
            "role" => &self.role,
            _ => return None,
        })
    }
}

/// A template's text: what staff write, or the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateText {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body, if any.
    pub html: Option<String>,
}

impl From<&EmailTemplate> for TemplateText {
    fn from(t: &EmailTemplate) -> Self {
        TemplateText {
            subject: t.subject.clone(),
            text: t.text_body.clone(),
            html: t.html_body.clone(),
        }
    }
}

/// A rendered email's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line (one line).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body, if any.
    pub html: Option<String>,
}

impl TemplateText {
    /// The template used when neither the achievement nor the issuer has one.
    pub fn default_template() -> Self {
        TemplateText {
            subject: "You have earned the badge \"{{badge_name}}\" from {{issuer_name}}".into(),
            text: DEFAULT_TEXT.into(),
            html: Some(DEFAULT_HTML.into()),
        }
    }

    /// Checks every part: sizes, closed braces, known variables.
    pub fn check(&self) -> Result<(), TemplateError> {
        if self.subject.trim().is_empty() {
            return Err(TemplateError::Invalid("subject: must not be empty".into()));
        }
        if self.subject.chars().count() > MAX_SUBJECT {
            return Err(TemplateError::Invalid(format!(
                "subject: longer than {MAX_SUBJECT} characters"
            )));
        }
        if self.text.trim().is_empty() {
            return Err(TemplateError::Invalid("text: must not be empty".into()));
        }
        for (part, body) in [("text", Some(&self.text)), ("html", self.html.as_ref())] {
            if body.is_some_and(|b| b.len() > MAX_BODY) {
                return Err(TemplateError::Invalid(format!(
                    "{part}: longer than {MAX_BODY} bytes"
                )));
            }
        }
        let empty = Values::default();
        render_part("subject", &self.subject, &empty, false)?;
        render_part("text", &self.text, &empty, false)?;
        if let Some(html) = &self.html {
            render_part("html", html, &empty, true)?;
        }
        Ok(())
    }

    /// Fills in the values.
    pub fn render(&self, values: &Values) -> Result<Rendered, TemplateError> {
        let subject = render_part("subject", &self.subject, values, false)?;
        // A subject is one header line, whatever a name or template holds.
        let subject = subject
            .split(['\r', '\n'])
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Rendered {
            subject,
            text: render_part("text", &self.text, values, false)?,
            html: self
                .html
                .as_deref()
                .map(|html| render_part("html", html, values, true))
                .transpose()?,
        })
    }
}

fn render_part(
    part: &'static str,
    template: &str,
    values: &Values,
    html: bool,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    let mut consumed = 0;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(TemplateError::Unclosed {
                part,
                at: template[..consumed + open].chars().count(),
            });
        };
        let inner = &after[..close];
        let (name, fallback) = match inner.split_once('|') {
            Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
            None => (inner.trim(), None),
        };
        let value = values.get(name).ok_or_else(|| TemplateError::Unknown {
            part,
            name: name.to_string(),
        })?;
        let value = match fallback {
            Some(fallback) if value.trim().is_empty() => fallback,
            _ => value,
        };
        if html {
            escape_html_into(&mut out, value);
        } else {
            out.push_str(value);
        }
        let used = open + 2 + close + 2;
        consumed += used;
        rest = &rest[used..];
    }
    out.push_str(rest);
    Ok(out)
}

const DEFAULT_TEXT: &str = "Hello {{recipient_name|there}},

{{issuer_name}} has awarded you the badge \"{{badge_name}}\".

See your badge, download it, and share it:
{{credential_url}}

Add it to your LinkedIn profile:
{{linkedin_url}}

Add it to your wallet (this link is personal: it works once, for you):
{{claim_url}}

Your badge is an Open Badges 3.0 credential signed by {{issuer_name}}: anyone can check that it is genuine.
";

const DEFAULT_HTML: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{badge_name}}</title></head>
<body style="margin: 0; padding: 0; background: #f4f4f4">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background: #f4f4f4"><tr><td align="center" style="padding: 24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width: 36em; background: #ffffff; border-top: 8px solid {{issuer_color}}; font-family: sans-serif; line-height: 1.5; color: #222222">
<tr><td style="padding: 16px 24px; font-size: 1.1em; font-weight: bold; color: {{issuer_color}}">{{issuer_name}}</td></tr>
<tr><td align="center" style="padding: 8px 24px"><a href="{{credential_url}}"><img src="{{badge_image_url}}" width="160" height="160" alt="The badge {{badge_name}}" style="display: block; border: 0"></a></td></tr>
<tr><td style="padding: 8px 24px">
<p>Hello {{recipient_name|there}},</p>
<p>{{issuer_name}} has awarded you the badge <strong>{{badge_name}}</strong>.</p>
<p><a href="{{credential_url}}" style="display: inline-block; padding: 10px 18px; background: {{issuer_color}}; color: #ffffff; text-decoration: none; border-radius: 4px">See your badge</a></p>
<p>Download it, share it, and check that it is genuine on its page.</p>
<p><a href="{{linkedin_url}}">Add it to your LinkedIn profile</a></p>
<p><a href="{{claim_url}}">Add to your wallet</a> (a personal link: it works once, for you)</p>
<p style="color: #555555; font-size: 0.9em">Your badge is an Open Badges 3.0 credential signed by {{issuer_name}}.</p>
</td></tr></table>
</td></tr></table>
</body></html>
"#;

/// Writes `text` into HTML, escaped: a value put into an HTML email body can never become
/// markup.
fn escape_html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            recipient_name: "Zoë <O'Brien>".into(),
            badge_name: "Cataloguing & You".into(),
            issuer_name: "Library Association".into(),
            credential_url: "https://badges.example.org/credentials/1".into(),
            ..Values::default()
        }
    }

    #[test]
    fn fills_variables_and_escapes_only_html() {
        let source = TemplateText {
            subject: "{{badge_name}}\r\nBcc: x@example.org".into(),
            text: "Hi {{ recipient_name }}: {{credential_url}}".into(),
            html: Some("<p>{{recipient_name}}</p>".into()),
        };
        let rendered = source.render(&values()).unwrap();
        assert_eq!(rendered.subject, "Cataloguing & You Bcc: x@example.org");
        assert_eq!(
            rendered.text,
            "Hi Zoë <O'Brien>: https://badges.example.org/credentials/1"
        );
        assert_eq!(
            rendered.html.as_deref(),
            Some("<p>Zoë &lt;O&#39;Brien&gt;</p>")
        );
    }

    #[test]
    fn the_role_fills_in_or_falls_back() {
        let source = TemplateText {
            subject: "s".into(),
            text: "You took part as {{role|participant}}.".into(),
            html: None,
        };
        let mut v = values();
        assert_eq!(
            source.render(&v).unwrap().text,
            "You took part as participant."
        );
        v.role = "Presenter".into();
        assert_eq!(
            source.render(&v).unwrap().text,
            "You took part as Presenter."
        );
    }

    #[test]
    fn fallback_fills_an_empty_value() {
        let source = TemplateText {
            subject: "s".into(),
            text: "Hello {{recipient_name|there}}, {{issuer_name|x}}".into(),
            html: None,
        };
        let mut v = values();
        v.recipient_name.clear();
        assert_eq!(
            source.render(&v).unwrap().text,
            "Hello there, Library Association"
        );
    }

    #[test]
    fn unknown_and_unclosed_are_refused_by_name() {
        let typo = TemplateText {
            subject: "ok".into(),
            text: "Hi {{badge_nmae}}".into(),
            html: None,
        };
        let error = typo.check().unwrap_err();
        assert!(error.to_string().contains("{{badge_nmae}}"), "{error}");
        assert!(error.to_string().starts_with("text:"), "{error}");
        let unclosed = TemplateText {
            subject: "Your {{badge_name".into(),
            text: "x".into(),
            html: None,
        };
        assert_eq!(
            unclosed.check().unwrap_err(),
            TemplateError::Unclosed {
                part: "subject",
                at: 5
            }
        );
    }

    #[test]
    fn the_default_template_is_valid_and_links_the_credential() {
        let source = TemplateText::default_template();
        source.check().unwrap();
        let rendered = source.render(&values()).unwrap();
        assert!(
            rendered
                .text
                .contains("https://badges.example.org/credentials/1")
        );
        assert!(rendered.html.unwrap().contains("Cataloguing &amp; You"));
    }

    #[test]
    fn the_default_html_shows_the_badge_image_and_the_issuers_colour_escaped() {
        let mut v = values();
        v.badge_image_url = "https://badges.example.org/images/a.png?x=1&y=\"2\"".into();
        v.issuer_color = "#2f6b3a".into();
        v.issuer_name = "Ann's <Library>".into();
        let html = TemplateText::default_template()
            .render(&v)
            .unwrap()
            .html
            .unwrap();
        assert!(
            html.contains(
                r#"<img src="https://badges.example.org/images/a.png?x=1&amp;y=&quot;2&quot;""#
            ),
            "{html}"
        );
        assert!(html.contains("border-top: 8px solid #2f6b3a"), "{html}");
        assert!(html.contains("Ann&#39;s &lt;Library&gt;"), "{html}");
        assert!(!html.contains("<Library>"), "{html}");
    }
}
