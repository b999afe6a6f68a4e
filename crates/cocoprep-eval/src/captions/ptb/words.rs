//! Word lists the tokenizer treats specially (abbreviations whose period stays attached,
//! words that usually start a sentence, contractions it splits).
//!
//! Entries are compared without case; an entry written `^Word` must start with exactly that
//! capital (`^Miss.` is an abbreviation, `miss.` is a word and a period).

/// Abbreviations usually followed by a lowercase word: months, weekdays, US states, company
/// suffixes and a few others. They keep their period.
pub(super) const ABBREVIATIONS_BEFORE_LOWERCASE: &[&str] = &[
    // Months and weekdays.
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "tues", "wed", "thu", "thurs", "fri", // US states.
    "ala", "ariz", "^Az", "^Ark", "calif", "colo", "conn", "ct", "dak", "^Del", "fla", "ga",
    "^Ill", "ind", "kan", "kans", "ky", "^La", "^Mass", "md", "mich", "minn", "^Miss", "mo",
    "mont", "neb", "nev", "okla", "^Ore", "^Pa", "penn", "tenn", "^Tex", "va", "vt", "^Wash",
    "wis", "wisc", "wyo", // Companies.
    "inc", "co", "cos", "corp", "pty", "pte", "ptys", "ptes", "ppty", "ppte", "pptys", "pptes",
    "ltd", "plc", "rt", "bancorp", "bhd", "assn", "univ", "intl", "sys",
    // Before numbers, and personal suffixes.
    "tel", "est", "ext", "sq", "jr", "sr", "bros", "ed.d", "ph.d", "blvd", "rd", "esq",
    // Others.
    "etc", "al", "seq", "bldg",
];

/// Abbreviations usually followed by a capitalised word (titles and the like). They keep
/// their period. Any acronym (`a.`, `u.s.`) behaves the same way.
pub(super) const ABBREVIATIONS_BEFORE_UPPERCASE: &[&str] = &[
    "mr", "mrs", "ms", "^Miss", "dr", "drs", "prof", "profs", "sen", "sens", "rep", "reps", "atty",
    "attys", "lt", "col", "gen", "messrs", "gov", "govs", "adm", "rev", "maj", "sgt", "cpl", "pvt",
    "capt", "st", "ste", "ave", "pres", "lieut", "hon", "brig", "cmdr", "comdr", "pfc", "spc",
    "supt", "supts", "det", "mt", "ft", "adj", "adv", "asst", "assoc", "ens", "insp", "mlle",
    "mme", "msgr", "sfc", "vs", "alex", "wm", "jos", "cie", "a.k.a", "cf", "treas", "ph", "invt",
    "elec", "natl", "mfg", "mtg", "dept",
];

/// Abbreviations recognised only before a number (`no. 5`, `ca. 1900`, `fig. 3`).
pub(super) const ABBREVIATIONS_BEFORE_NUMBER: &[&str] = &[
    "ca", "fig", "figs", "prop", "no", "nos", "art", "bldg", "pp", "op",
];

/// Capitalised words after which a preceding acronym's period also ends the sentence.
pub(super) const SENTENCE_STARTERS: &[&str] = &[
    "About",
    "According",
    "Additionally",
    "After",
    "An",
    "A",
    "As",
    "At",
    "But",
    "Earlier",
    "He",
    "Her",
    "Here",
    "However",
    "If",
    "In",
    "It",
    "Last",
    "Many",
    "More",
    "Mr.",
    "Ms.",
    "Now",
    "Once",
    "One",
    "Other",
    "Our",
    "She",
    "Since",
    "So",
    "Some",
    "Such",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "These",
    "They",
    "This",
    "We",
    "When",
    "While",
    "What",
    "Yet",
    "You",
];

/// Words split in two: the word and how many characters the first token keeps
/// (`cannot` → `can` `not`, `gonna` → `gon` `na`).
pub(super) const SPLIT_ASSIMILATIONS: &[(&str, usize)] = &[
    ("cannot", 3),
    ("'twas", 2),
    ("'tis", 2),
    ("gonna", 3),
    ("gotta", 3),
    ("lemme", 3),
    ("gimme", 3),
    ("wanna", 3),
];
