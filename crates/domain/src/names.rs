//! Names: normalisation, Latin transliteration and the forgiving search key.
//!
//! The same woman is written "Айжан Токтогулова", "Aizhan Toktogulova", "Ayjan Toktogulova" or
//! "АЙЖАН  токтогулова" (or with decomposed Unicode from a phone keyboard). [`search_key`] maps every
//! such spelling to one Latin skeleton, so search compares skeletons and nobody is hidden by spelling.
use unicode_normalization::UnicodeNormalization;

/// Trim, collapse runs of white space and compose Unicode (NFC).
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A readable Latin transliteration of a Cyrillic (Kyrgyz, Russian, Uzbek) name, as it would be
/// written in a passport-like spelling: "Гүлнара Өмүрбекова" → "Gulnara Omurbekova".
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = clean(s).chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let at_word_start = i == 0 || !chars[i - 1].is_alphabetic();
        let latin: &str = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'ғ' => "gh",
            'д' => "d",
            'е' => {
                if at_word_start {
                    "ye"
                } else {
                    "e"
                }
            }
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'ң' => "ng",
            'о' => "o",
            'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ү' => "u",
            'ў' => "o'",
            'ф' => "f",
            'х' => "kh",
            'ҳ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            _ => {
                out.push(c);
                continue;
            }
        };
        if c.is_uppercase() && !latin.is_empty() {
            let mut cs = latin.chars();
            if let Some(first) = cs.next() {
                out.extend(first.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(latin);
        }
    }
    out
}

/// The letters a name is normally written with, in the order a look-alike is folded to.
const CYRILLIC: &str = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюяғқҳўһ";
const LATIN: &str = "abcdefghijklmnopqrstuvwxyz";

/// A character's UTS #39 confusable skeleton without combining marks ("ұ" → "y" like "ү").
fn bare_skeleton(c: char) -> String {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf))
        .filter(|d| !('\u{0300}'..='\u{036F}').contains(d))
        .collect()
}

/// Skeleton → the first letter of `alphabet` that has it.
fn prototypes(alphabet: &str) -> std::collections::HashMap<String, char> {
    let mut m = std::collections::HashMap::new();
    for c in alphabet.chars() {
        m.entry(bare_skeleton(c)).or_insert(c);
    }
    m
}

static TO_CYRILLIC: std::sync::LazyLock<std::collections::HashMap<String, char>> =
    std::sync::LazyLock::new(|| prototypes(CYRILLIC));
static TO_LATIN: std::sync::LazyLock<std::collections::HashMap<String, char>> =
    std::sync::LazyLock::new(|| prototypes(LATIN));

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{052F}').contains(&c)
}

/// Folds look-alike letters (Unicode's confusable skeletons, UTS #39) so that a name typed with a
/// wrong keyboard layout or a neighbour language's letter meets its usual spelling: in a word
/// written mostly in Cyrillic a Latin look-alike becomes the Cyrillic letter ("Айгyл" with a
/// Latin y → "Айгуl"), and the other way round; a Cyrillic letter outside the alphabets names are
/// written in becomes the usual letter it looks like (Kazakh "ұ" → "у", "і" → "i").
pub fn fold_confusables(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_inclusive(|c: char| !c.is_alphabetic()) {
        let cyr = word.chars().filter(|&c| is_cyrillic(c)).count();
        let lat = word
            .chars()
            .filter(|&c| c.is_alphabetic() && !is_cyrillic(c))
            .count();
        let cyrillic_word = cyr >= lat;
        for c in word.chars() {
            if !c.is_alphabetic() {
                out.push(c);
                continue;
            }
            let usual = if is_cyrillic(c) {
                CYRILLIC.contains(c)
            } else {
                c.is_ascii()
            };
            let foreign = is_cyrillic(c) != cyrillic_word;
            if usual && !foreign {
                out.push(c);
                continue;
            }
            let skel = bare_skeleton(c);
            let (first, second) = if cyrillic_word {
                (&*TO_CYRILLIC, &*TO_LATIN)
            } else {
                (&*TO_LATIN, &*TO_CYRILLIC)
            };
            match first.get(&skel).or_else(|| second.get(&skel)) {
                Some(&p) => out.push(p),
                None => out.push(c),
            }
        }
    }
    out
}

/// The search skeleton: lower-case Latin with ambiguous spellings folded together.
/// Words are kept apart by single spaces so a query can match each word on its own.
pub fn search_key(s: &str) -> String {
    // Decompose so "ü" and "ü" both become "u" + a combining mark we then drop,
    // but keep the Cyrillic letters that decomposition would break (й → и + ˘).
    let lower: String = fold_confusables(&clean(s).to_lowercase());
    let mut latin = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            'й' => latin.push('y'),
            'ё' => latin.push_str("yo"),
            'ў' => latin.push('u'),
            c if ('\u{0400}'..='\u{04FF}').contains(&c) => {
                latin.push_str(&transliterate(&c.to_string()))
            }
            c => {
                for d in c.to_string().nfd() {
                    if !('\u{0300}'..='\u{036F}').contains(&d) {
                        latin.push(d);
                    }
                }
            }
        }
    }
    let folded = latin
        .replace("dzh", "j")
        .replace("dj", "j")
        .replace("zh", "j")
        .replace("kh", "h")
        .replace("gh", "g")
        .replace("shch", "sh")
        .replace('x', "h")
        .replace('q', "k")
        .replace('w', "v")
        .replace('c', "ts")
        .replace("tsh", "ch")
        .replace("ng", "n")
        .replace('y', "i");
    let mut words = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let mut chars: Vec<char> = word.chars().collect();
        chars.dedup(); // "Alla" ~ "Ala", "Mariia" ~ "Maria"
        let mut w = String::with_capacity(word.len());
        for (i, &c) in chars.iter().enumerate() {
            // A soft "i" before a vowel ("Mariya", "Jamilya") is often left out in Latin.
            if c == 'i' && i > 0 && chars.get(i + 1).is_some_and(|n| "aeou".contains(*n)) {
                continue;
            }
            if !w.ends_with(c) {
                w.push(c);
            }
        }
        // word-initial "i" before a vowel: "Yulduz"/"Юлдуз" → "ulduz"
        if w.len() > 1 && w.starts_with('i') && w[1..].starts_with(|c: char| "aeou".contains(c)) {
            w.remove(0);
        }
        words.push(w);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(search_key(a), search_key(b), "{a:?} vs {b:?}");
    }

    #[test]
    fn cyrillic_and_latin_spellings_meet() {
        same("Айжан Токтогулова", "Aizhan Toktogulova");
        same("Айжан", "Ayjan");
        same("Гүлнара Өмүрбекова", "Gulnara Omurbekova");
        same("Гүлнара", "Gülnara");
        same("Джамиля", "Jamila");
        same("Джамиля", "Dzhamilya");
        same("Мария", "Maria");
        same("Нургүл", "Nurgul");
        same("Хуршида", "Xurshida");
        same("Юлдуз", "Yulduz");
        same("Жаңыл", "Janyl");
        same("Жаңыл", "Zhangyl");
        same("Элмира", "Elmira");
    }

    #[test]
    fn case_spaces_and_unicode_forms_do_not_matter() {
        same("  АЙЖАН   токтогулова ", "Айжан Токтогулова");
        let nfd: String = "Gülnara".nfd().collect();
        same(&nfd, "Gülnara");
        let nfd_cyr: String = "Айгүл".nfd().collect();
        same(&nfd_cyr, "Айгүл");
    }

    #[test]
    fn confusable_letters_meet() {
        same("Айгұл", "Айгүл"); // Kazakh ұ
        same("Айгyл", "Айгүл"); // a Latin y in a Cyrillic word
        same("Aйгүл", "Айгүл"); // a Latin A
        same("Аizhan", "Aizhan"); // a Cyrillic А in a Latin word
        same("Айгүл Тоқтоғұлова", "Айгүл Токтогулова");
        assert_ne!(search_key("Айгұл"), search_key("Айжан"));
    }

    #[test]
    fn different_names_stay_different() {
        assert_ne!(search_key("Айжан"), search_key("Айгүл"));
        assert_ne!(search_key("Нургүл"), search_key("Нурзат"));
    }

    #[test]
    fn transliteration_is_readable() {
        assert_eq!(transliterate("Гүлнара Өмүрбекова"), "Gulnara Omurbekova");
        assert_eq!(transliterate("Жаңыл Эшимова"), "Zhangyl Eshimova");
        assert_eq!(transliterate("Елена"), "Yelena");
        assert_eq!(transliterate("John"), "John");
    }

    #[test]
    fn clean_composes_and_collapses() {
        let nfd: String = "Ө мүр".nfd().collect();
        assert_eq!(clean(&format!("  {nfd}  ")), "Ө мүр");
    }
}
