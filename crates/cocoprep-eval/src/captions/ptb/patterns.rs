//! Token shapes matched with a lazy DFA (longest match): URLs, e-mail addresses and phone
//! numbers, whose shapes are too irregular to scan by hand.

use std::cell::RefCell;
use std::sync::LazyLock;

use regex_automata::hybrid::dfa::{Cache, DFA, OverlappingState};
use regex_automata::{Anchored, Input, MatchKind};

/// The shapes, by pattern index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// `http://…` / `https://…`.
    FullUrl,
    /// `www.example.com/…` or `example.com`.
    LikelyUrl,
    /// `name@example.com`, optionally in angle brackets.
    Email,
    /// `(555) 555-5555`, `555-555-5555`, `555.555.5555`.
    Phone,
}

const SHAPES: [Shape; 4] = [Shape::FullUrl, Shape::LikelyUrl, Shape::Email, Shape::Phone];

const PATTERNS: [&str; 4] = [
    r#"(?i:https?://)[^ \t\n\f\r"<>|(){}]+[^ \t\n\f\r"<>|.!?(){},\-]"#,
    // The class of the second alternative excludes `,` through `_` (digits, capitals, `.`,
    // `/`, `@`, ...), as the tokenizer's does.
    r#"(?:(?i:www)\.(?:[^ \t\n\f\r"<>|.!?(){},]+\.)+[a-zA-Z]{2,4}|(?:[^ \t\n\f\r"`'<>|.!?(){}\x{2C}-\x{5F}$]+\.)+(?i:com|net|org|edu))(?:/[^ \t\n\f\r"<>|()]+[^ \t\n\f\r"<>|.!?(){},\-])?"#,
    r#"(?:(?i:&lt;)|<)?[a-zA-Z0-9][^ \t\n\f\r"<>|()\x{A0}{}]*@(?:[^ \t\n\f\r"<>|(){}.\x{A0}]+\.)*[^ \t\n\f\r"<>|(){}.\x{A0}]+(?:(?i:&gt;)|>)?"#,
    r#"(?:\([0-9]{2,3}\)[ \x{A0}]?|(?:\+\+?)?(?:[0-9]{2,4}[\- \x{A0}])?[0-9]{2,4}[\- \x{A0}])[0-9]{3,4}[\- \x{A0}]?[0-9]{3,5}|(?:(?:\+\+?)?[0-9]{2,4}\.)?[0-9]{2,4}\.[0-9]{3,4}\.[0-9]{3,5}"#,
];

static AUTOMATON: LazyLock<DFA> = LazyLock::new(|| {
    DFA::builder()
        .configure(DFA::config().match_kind(MatchKind::All))
        .build_many(&PATTERNS)
        .expect("the PTB URL, e-mail and phone patterns compile")
});

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(AUTOMATON.create_cache());
}

/// The longest match of each shape starting at byte `start` of `text`: `(shape, end byte)`.
pub(super) fn longest_matches(text: &str, start: usize) -> Vec<(Shape, usize)> {
    let mut found: Vec<(Shape, usize)> = Vec::new();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let input = Input::new(text).range(start..).anchored(Anchored::Yes);
        let mut state = OverlappingState::start();
        loop {
            // A search only fails when the cache thrashes or on a quit byte; neither is
            // configured, so a failure ends the search like no match.
            if AUTOMATON
                .try_search_overlapping_fwd(&mut cache, &input, &mut state)
                .is_err()
            {
                break;
            }
            let Some(half) = state.get_match() else {
                break;
            };
            let shape = SHAPES[half.pattern().as_usize()];
            match found.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, end)) => *end = (*end).max(half.offset()),
                None => found.push((shape, half.offset())),
            }
        }
    });
    found
}
