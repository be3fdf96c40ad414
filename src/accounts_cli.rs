//! The `user` and `client` commands. Secrets come from a prompt on a terminal, or else from the
//! first line of standard input. They never come from the command line, because other users of
//! the machine could read them there.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::Context;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use petajalan::auth::caller::{Role, Scope};
use petajalan::auth::login::audit;
use petajalan::auth::password::hash_blocking;
use petajalan::auth::tokens::new_secret;
use petajalan::config::connection_hint;
use petajalan::db::{accounts, organisations};
use petajalan::domain::key::Key;
use petajalan::domain::lang::Lang;
use petajalan::domain::password_policy::check_password;
use petajalan::routes::users::{CreateUser, validate_new_user};

use crate::{ClientCommand, UserCommand};

/// Shortest client secret accepted, in characters.
const MIN_CLIENT_SECRET_CHARS: usize = 32;

/// The actor name written to audit records of command-line changes.
const CLI_ACTOR: &str = "command line";

fn read_secret(prompt: &str, confirm_prompt: &str, lang: Lang) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt)?;
        if first.is_empty() {
            return Ok(first);
        }
        let second = rpassword::prompt_password(confirm_prompt)?;
        if first != second {
            anyhow::bail!("{}", lang.pick("kedua masukan tidak sama", "the two entries differ"));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn hash(secret: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&secret)).await?.map_err(|error| anyhow::anyhow!("{error}"))
}

async fn connect(database_url: &str, lang: Lang) -> anyhow::Result<AsyncPgConnection> {
    AsyncPgConnection::establish(database_url).await.with_context(|| connection_hint(database_url, lang))
}

/// Finds a user by username, printing a message when there is none.
async fn find_user_or_report(
    connection: &mut AsyncPgConnection,
    username: &str,
    lang: Lang,
) -> anyhow::Result<Option<accounts::UserRow>> {
    let user = accounts::find_user(connection, Key::Code(username)).await?;
    if user.is_none() {
        match lang {
            Lang::Id => eprintln!("pengguna {username:?} tidak ditemukan"),
            Lang::En => eprintln!("user {username:?} not found"),
        }
    }
    Ok(user)
}

pub async fn user(action: UserCommand, database_url: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut connection = connect(database_url, lang).await?;
    match action {
        UserCommand::Create { username, display_name, role, organisation } => {
            let Ok(role) = role.parse::<Role>() else {
                eprintln!(
                    "{}: {role:?}",
                    lang.pick(
                        "peran tidak dikenal; pilih admin, opd atau viewer",
                        "unknown role; choose admin, opd or viewer"
                    )
                );
                return Ok(ExitCode::from(2));
            };
            let password = read_secret(
                lang.pick("Kata sandi: ", "Password: "),
                lang.pick("Ulangi kata sandi: ", "Repeat the password: "),
                lang,
            )?;
            let found = match &organisation {
                Some(key) => organisations::find(&mut connection, Key::parse(key)).await?,
                None => None,
            };
            let request = CreateUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username: username.to_lowercase(),
                role,
                organisation,
                password,
            };
            let errors = validate_new_user(&request, found.as_ref().map(|organisation| organisation.kind));
            if !errors.is_empty() {
                for error in errors {
                    eprintln!("{}: {}", error.field, error.message(lang));
                }
                return Ok(ExitCode::from(1));
            }

            let password_hash = hash(request.password).await?;
            let new_user = accounts::NewUser {
                username: &request.username,
                display_name: request.display_name.trim(),
                role: request.role.as_ref(),
                organisation_id: found.map(|organisation| organisation.id),
                password_hash: &password_hash,
            };
            let Some(created) = accounts::insert_user(&mut connection, &new_user).await? else {
                eprintln!(
                    "{} {:?} {}",
                    lang.pick("nama pengguna", "username"),
                    request.username,
                    lang.pick("sudah dipakai", "is taken")
                );
                return Ok(ExitCode::from(1));
            };
            audit(&mut connection, "user.create", None, None, Some(CLI_ACTOR), "local", &created.username).await;
            println!(
                "{} {} (id {}, {})",
                lang.pick("Pengguna dibuat:", "User created:"),
                created.username,
                created.id,
                created.role
            );
        }
        UserCommand::Deactivate { username } => {
            let Some(user) = find_user_or_report(&mut connection, &username, lang).await? else {
                return Ok(ExitCode::from(1));
            };
            accounts::set_user_active(&mut connection, user.id, false).await?;
            let revoked = accounts::revoke_user_tokens(&mut connection, user.id).await?;
            audit(&mut connection, "user.deactivate", None, None, Some(CLI_ACTOR), "local", &user.username).await;
            println!(
                "{} {} ({revoked} {})",
                lang.pick("Pengguna dinonaktifkan:", "User deactivated:"),
                user.username,
                lang.pick("token dicabut", "tokens revoked")
            );
        }
        UserCommand::ResetPassword { username } => {
            let Some(user) = find_user_or_report(&mut connection, &username, lang).await? else {
                return Ok(ExitCode::from(1));
            };
            let password = read_secret(
                lang.pick("Kata sandi baru: ", "New password: "),
                lang.pick("Ulangi kata sandi baru: ", "Repeat the new password: "),
                lang,
            )?;
            if let Err(problem) = check_password(&password, &[&user.username, &user.display_name]) {
                eprintln!("password: {}", problem.message(lang));
                return Ok(ExitCode::from(1));
            }
            let password_hash = hash(password).await?;
            accounts::set_user_password(&mut connection, user.id, &password_hash).await?;
            accounts::revoke_user_tokens(&mut connection, user.id).await?;
            audit(&mut connection, "user.reset_password", None, None, Some(CLI_ACTOR), "local", &user.username).await;
            println!("{} {}", lang.pick("Kata sandi diganti untuk", "Password changed for"), user.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn client(action: ClientCommand, database_url: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut connection = connect(database_url, lang).await?;
    let ClientCommand::Create { client_id, name, scopes, organisation } = action;

    let client_id = client_id.to_lowercase();
    let mut problems: Vec<&str> = Vec::new();
    let id_ok = (3..=64).contains(&client_id.len())
        && client_id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && client_id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if !id_ok {
        problems.push(lang.pick(
            "--client-id harus 3 sampai 64 karakter: huruf kecil, angka, titik, garis bawah, tanda hubung",
            "--client-id must be 3 to 64 characters: lower-case letters, digits, dots, underscores, hyphens",
        ));
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        problems.push(lang.pick("--name harus berisi 1 sampai 200 karakter", "--name must have 1 to 200 characters"));
    }
    let parsed_scopes: Result<Vec<Scope>, _> = scopes.split(',').map(|scope| scope.trim().parse::<Scope>()).collect();
    if parsed_scopes.is_err() {
        problems.push(lang.pick(
            "--scopes hanya boleh berisi read dan/atau submit, dipisah koma",
            "--scopes may only contain read and/or submit, separated by commas",
        ));
    }
    let organisation_id = match &organisation {
        Some(key) => match organisations::find(&mut connection, Key::parse(key)).await? {
            Some(found) => Some(found.id),
            None => {
                problems.push(lang.pick("--organisation tidak ditemukan", "--organisation was not found"));
                None
            }
        },
        None => None,
    };
    let (true, Ok(parsed_scopes)) = (problems.is_empty(), parsed_scopes) else {
        for problem in problems {
            eprintln!("{problem}");
        }
        return Ok(ExitCode::from(2));
    };

    let mut secret = read_secret(
        lang.pick("Rahasia klien (kosongkan agar dibuatkan): ", "Client secret (leave empty to generate one): "),
        lang.pick("Ulangi rahasia klien: ", "Repeat the client secret: "),
        lang,
    )?;
    let generated = secret.is_empty();
    if generated {
        secret = new_secret();
    } else if secret.chars().count() < MIN_CLIENT_SECRET_CHARS {
        match lang {
            Lang::Id => eprintln!("rahasia klien minimal {MIN_CLIENT_SECRET_CHARS} karakter"),
            Lang::En => eprintln!("the client secret needs at least {MIN_CLIENT_SECRET_CHARS} characters"),
        }
        return Ok(ExitCode::from(1));
    }

    let scope_names: Vec<String> = parsed_scopes.iter().map(|scope| scope.as_ref().to_string()).collect();
    let secret_hash = hash(secret.clone()).await?;
    let Some(created) =
        accounts::insert_client(&mut connection, &client_id, name.trim(), &scope_names, organisation_id, &secret_hash)
            .await?
    else {
        eprintln!("{} {client_id:?} {}", lang.pick("id klien", "client id"), lang.pick("sudah dipakai", "is taken"));
        return Ok(ExitCode::from(1));
    };
    audit(&mut connection, "client.create", None, None, Some(CLI_ACTOR), "local", &created.client_id).await;

    println!("{} {} ({})", lang.pick("Klien dibuat:", "Client created:"), created.client_id, scope_names.join(","));
    if generated {
        println!(
            "{} {secret}",
            lang.pick("Rahasia klien (ditampilkan sekali ini saja):", "Client secret (shown this once):")
        );
    }
    Ok(ExitCode::SUCCESS)
}
