//! Text inside HTML and XML: character references decoded in one place, by a library
//! (`html-escape`: every named entity of HTML and numeric ones, decimal and hex), for the
//! report pages, the Atom feeds and the status platforms' documents that carry markup.

use std::borrow::Cow;

/// `s` with its character references decoded once (`&amp;lt;` is `&lt;`); a no-break space
/// (`&nbsp;`, `&#160;`) reads as a plain space, as a reader of the page sees it. A reference the
/// library does not know is left as written.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') && !s.contains('\u{a0}') {
        return Cow::Borrowed(s);
    }
    let decoded = html_escape::decode_html_entities(s);
    if decoded.contains('\u{a0}') {
        Cow::Owned(decoded.replace('\u{a0}', " "))
    } else {
        Cow::Owned(decoded.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_numeric_references_are_decoded_once() {
        assert_eq!(decode_entities("a &amp; b"), "a & b");
        assert_eq!(decode_entities("&lt;b&gt; &quot;x&quot;"), "<b> \"x\"");
        assert_eq!(
            decode_entities("it&#39;s it&#x27;s it&apos;s"),
            "it's it's it's"
        );
        assert_eq!(
            decode_entities("caf&eacute; &mdash; &#8217;"),
            "café — \u{2019}"
        );
        assert_eq!(decode_entities("&amp;lt;"), "&lt;");
        assert_eq!(decode_entities("a&nbsp;b&#160;c"), "a b c");
        assert_eq!(decode_entities("AT&T and &unknown;"), "AT&T and &unknown;");
        assert!(matches!(decode_entities("plain"), Cow::Borrowed(_)));
    }
}
