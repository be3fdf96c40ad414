//! Matching of the several ways one organisation is written (`Bag. PBJ`, `Bag.PBJ Setda`).

/// Reduces a name to the form used for matching: lower case, dots read as spaces, runs of
/// spaces collapsed and a trailing "Kota Semarang" dropped, since source documents add it to
/// some names and not to others.
pub fn match_key(name: &str) -> String {
    let spaced = name.replace('.', " ").to_lowercase();
    let collapsed = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.strip_suffix(" kota semarang").map(str::to_string).unwrap_or(collapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_share_a_key() {
        assert_eq!(match_key("Bag. Organisasi"), match_key("Bag.Organisasi"));
        assert_eq!(match_key("Bappeda Kota Semarang"), match_key("BAPPEDA"));
        assert_eq!(match_key("  Dinas   Sosial "), "dinas sosial");
        assert_ne!(match_key("Bag. PBJ"), match_key("Bag.PBJ Setda"));
    }
}
