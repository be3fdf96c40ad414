//! Rules for new passwords: a length range and a check against common and guessable passwords.

use super::lang::Lang;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Maximum password length in characters. It bounds the hashing work that one request can cause.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Lowest zxcvbn strength score accepted (0 to 4). A score of 3 means "safely unguessable:
/// moderate protection from offline slow-hash scenario" in zxcvbn's terms; common passwords and
/// dictionary words with small changes score lower.
pub const MIN_STRENGTH_SCORE: u8 = 3;

/// Words that people around this service build passwords from, checked like the username.
const SERVICE_WORDS: [&str; 6] = ["semarang", "petajalan", "reformasi", "birokrasi", "pemkot", "setda"];

/// Reason a password is rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooGuessable,
}

impl PasswordProblem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PasswordProblem::TooShort, Lang::Id) => format!("kata sandi minimal {MIN_PASSWORD_CHARS} karakter"),
            (PasswordProblem::TooShort, Lang::En) => {
                format!("the password must have at least {MIN_PASSWORD_CHARS} characters")
            }
            (PasswordProblem::TooLong, Lang::Id) => format!("kata sandi paling banyak {MAX_PASSWORD_CHARS} karakter"),
            (PasswordProblem::TooLong, Lang::En) => {
                format!("the password must have at most {MAX_PASSWORD_CHARS} characters")
            }
            (PasswordProblem::TooGuessable, Lang::Id) => {
                "kata sandi terlalu mudah ditebak (umum dipakai atau mirip nama pengguna); gunakan beberapa kata acak"
                    .into()
            }
            (PasswordProblem::TooGuessable, Lang::En) => {
                "the password is too easy to guess (common, or close to the username); use several random words".into()
            }
        }
    }
}

/// Checks a new password; `user_inputs` are words the password must not be built from, such as
/// the username.
pub fn check_password(password: &str, user_inputs: &[&str]) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let mut inputs: Vec<&str> = user_inputs.to_vec();
    inputs.extend(SERVICE_WORDS);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) < MIN_STRENGTH_SCORE {
        return Err(PasswordProblem::TooGuessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_cases() {
        let cases = [
            ("pendek", Err(PasswordProblem::TooShort)),
            ("password1234", Err(PasswordProblem::TooGuessable)),
            ("qwertyuiop123", Err(PasswordProblem::TooGuessable)),
            ("semarang2024!", Err(PasswordProblem::TooGuessable)),
            ("budi.santoso99", Err(PasswordProblem::TooGuessable)),
            ("kuda-biru-melompat-pagar-9", Ok(())),
        ];
        for (password, expected) in cases {
            assert_eq!(check_password(password, &["budi.santoso"]), expected, "password {password:?}");
        }
        assert_eq!(check_password(&"a".repeat(MAX_PASSWORD_CHARS + 1), &[]), Err(PasswordProblem::TooLong));
    }
}
