//! Evidence (bukti dukung): which files are accepted, judged by their content, and how their
//! names are cleaned before they are stored. Links are accepted as evidence too.

use crate::error::FieldError;

/// Maximum length of a stored file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;
/// Maximum length of a link, in characters.
pub const MAX_URL_CHARS: usize = 2000;
/// Maximum length of a description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// The maximum number of evidence items of one realisation or milestone.
pub const MAX_ITEMS_PER_OWNER: i64 = 20;

/// A file type that evidence may have: media type and the extension the stored name gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileType {
    pub media_type: &'static str,
    pub extension: &'static str,
}

impl FileType {
    /// Returns whether a client's extension names this type (`jpeg` and `jpg` both name JPEG).
    fn matches_extension(&self, extension: &str) -> bool {
        let extension = extension.to_ascii_lowercase();
        extension == self.extension || (self.extension == "jpg" && extension == "jpeg")
    }
}

/// PDF, JPEG, PNG and office documents (Microsoft Office old and new, OpenDocument).
pub const ACCEPTED: [FileType; 11] = [
    FileType { media_type: "application/pdf", extension: "pdf" },
    FileType { media_type: "image/jpeg", extension: "jpg" },
    FileType { media_type: "image/png", extension: "png" },
    FileType { media_type: "application/msword", extension: "doc" },
    FileType {
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extension: "docx",
    },
    FileType { media_type: "application/vnd.ms-excel", extension: "xls" },
    FileType { media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extension: "xlsx" },
    FileType { media_type: "application/vnd.ms-powerpoint", extension: "ppt" },
    FileType {
        media_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        extension: "pptx",
    },
    FileType { media_type: "application/vnd.oasis.opendocument.text", extension: "odt" },
    FileType { media_type: "application/vnd.oasis.opendocument.spreadsheet", extension: "ods" },
];

/// Decides a file's type from its first bytes, whatever name or type the client gave it.
pub fn detect_type(content: &[u8]) -> Result<FileType, FieldError> {
    if content.is_empty() {
        return Err(FieldError::new("file", "berkas kosong", "the file is empty"));
    }
    let detected = infer::get(content).map(|found| found.mime_type());
    ACCEPTED.iter().copied().find(|accepted| Some(accepted.media_type) == detected).ok_or_else(|| {
        let seen = detected.unwrap_or("tidak dikenal");
        let seen_en = detected.unwrap_or("unknown");
        FieldError::new(
            "file",
            format!(
                "isi berkas bertipe {seen}; yang diterima hanya PDF, JPEG, PNG dan dokumen perkantoran (doc, docx, xls, xlsx, ppt, pptx, odt, ods)"
            ),
            format!(
                "the file's content is of type {seen_en}; only PDF, JPEG, PNG and office documents (doc, docx, xls, xlsx, ppt, pptx, odt, ods) are accepted"
            ),
        )
    })
}

/// Cleans a client's file name for storage and display, with the extension of the detected
/// type. A name that contains a path (`../`, `/`, `\`) or control characters is rejected, not
/// repaired, and so is a name whose extension names another accepted type.
pub fn clean_file_name(name: &str, file_type: FileType) -> Result<String, FieldError> {
    let refuse = |indonesian: &str, english: &str| FieldError::new("file", indonesian, english);
    if name.contains(['/', '\\']) || name.contains("..") {
        return Err(refuse(
            "nama berkas tidak boleh memuat jalur (/, \\ atau ..)",
            "the file name must not hold a path (/, \\ or ..)",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse("nama berkas memuat karakter kendali", "the file name holds control characters"));
    }

    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let names_other_type = ACCEPTED.iter().any(|accepted| accepted.matches_extension(extension));
    if names_other_type && !file_type.matches_extension(extension) {
        return Err(FieldError::new(
            "file",
            format!("nama berkas berakhiran .{extension}, tetapi isinya {}", file_type.media_type),
            format!("the file name ends in .{extension}, but its content is {}", file_type.media_type),
        ));
    }

    let mut cleaned = String::new();
    for character in stem.chars() {
        let keep = character.is_alphanumeric() || matches!(character, '-' | '_' | '(' | ')');
        let next = if keep { character } else { '_' };
        if !(next == '_' && cleaned.ends_with('_')) {
            cleaned.push(next);
        }
    }
    let cleaned: String = cleaned.trim_matches('_').chars().take(MAX_FILE_NAME_CHARS - 6).collect();
    let stem = if cleaned.is_empty() { "bukti".to_string() } else { cleaned };
    Ok(format!("{stem}.{}", file_type.extension))
}

/// Checks a link: an absolute `http` or `https` URL without credentials. The service never
/// fetches it.
pub fn check_url(url: &str) -> Result<String, FieldError> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    let valid = url.chars().count() <= MAX_URL_CHARS
        && !url.chars().any(|character| character.is_whitespace() || character.is_control())
        && host.is_some_and(|host| !host.is_empty() && !host.contains('@'));
    if valid {
        Ok(url.to_string())
    } else {
        Err(FieldError::new(
            "url",
            format!(
                "harus alamat http:// atau https:// yang lengkap, tanpa spasi dan tanpa nama pengguna, paling panjang {MAX_URL_CHARS} karakter"
            ),
            format!(
                "must be a full http:// or https:// address, without spaces or user name, at most {MAX_URL_CHARS} characters"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: FileType = ACCEPTED[0];

    #[test]
    fn detect_type_reads_content() {
        assert_eq!(detect_type(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj").unwrap().media_type, "application/pdf");
        assert_eq!(detect_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']).unwrap().extension, "jpg");
        assert_eq!(detect_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap().extension, "png");

        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        assert!(
            detect_type(&elf).unwrap_err().message(crate::domain::lang::Lang::En).contains("application/x-executable")
        );
        assert!(detect_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").is_err());
        assert!(detect_type(b"<!DOCTYPE html><html><script>alert(1)</script>").is_err());
        assert!(detect_type(b"").is_err());
    }

    #[test]
    fn clean_file_name_cases() {
        assert_eq!(clean_file_name("Foto posyandu (TW I).jpeg", ACCEPTED[1]).unwrap(), "Foto_posyandu_(TW_I).jpg");
        assert_eq!(clean_file_name("laporan.exe", PDF).unwrap(), "laporan.pdf");
        assert_eq!(clean_file_name("x.jpg%00.php", PDF).unwrap(), "x_jpg_00.pdf");
        assert_eq!(clean_file_name("%2e%2e%2fx.pdf", PDF).unwrap(), "2e_2e_2fx.pdf");
        assert_eq!(clean_file_name(".htaccess", PDF).unwrap(), "bukti.pdf");
        assert_eq!(clean_file_name("foto\u{202E}gpj.pdf", PDF).unwrap(), "foto_gpj.pdf");
        assert_eq!(clean_file_name("scan.png", PDF).unwrap_err().field, "file", "a PDF named .png");
        assert_eq!(clean_file_name("x.php.jpg", ACCEPTED[1]).unwrap(), "x_php.jpg");
        assert_eq!(clean_file_name("Laporan Q1 2023.pdf", PDF).unwrap(), "Laporan_Q1_2023.pdf");
        assert_eq!(clean_file_name("...", PDF).unwrap_err().field, "file");
        assert_eq!(clean_file_name("", PDF).unwrap(), "bukti.pdf");
        for bad in ["../../etc/passwd", "a/b.pdf", "a\\b.pdf", "..", "x\u{0}.pdf", "ok\n.pdf"] {
            assert!(clean_file_name(bad, PDF).is_err(), "{bad:?} was accepted");
        }
        assert!(clean_file_name(&"a".repeat(500), PDF).unwrap().chars().count() <= MAX_FILE_NAME_CHARS);
    }

    #[test]
    fn check_url_cases() {
        assert!(check_url("https://semarangkota.go.id/laporan/tw1.pdf").is_ok());
        for bad in ["ftp://x", "javascript:alert(1)", "https://", "https://user:pw@host/", "http://a b", "/relative"] {
            assert!(check_url(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
