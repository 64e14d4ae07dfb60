use clap::Parser;
use jalin::config::{Cli, Command, LogFormat, TokenCommand};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let log_format = cli.log_format;
    jalin::logging::init(log_format);
    let result = match cli.command() {
        Command::Serve(args) => actix_web::rt::System::new().block_on(jalin::server::serve(args)),
        Command::Migrate(args) => jalin::server::open_database(&args, 1).map(drop),
        Command::Import(args) => jalin::server::import_file(&args).map(|summary| println!("{summary}")),
        Command::Token(TokenCommand::Create(args)) => {
            jalin::server::create_token(&args).map(|token| println!("{token}"))
        }
        Command::Token(TokenCommand::List(args)) => {
            jalin::server::list_tokens(&args).map(|table| print!("{table}"))
        }
        Command::Token(TokenCommand::Revoke(args)) => {
            jalin::server::revoke_token(&args).map(|revoked| println!("{revoked}"))
        }
        Command::Openapi => {
            print!("{}", jalin::app::openapi_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            log::error!("{error}");
            // Told once more on a plain line for people; in JSON, standard error holds only
            // JSON lines, unless the log filter leaves the error out.
            if log_format == LogFormat::Text || !log::log_enabled!(log::Level::Error) {
                eprintln!("jalin: {error}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// mimalloc, for the allocations every request makes (Cargo.toml says what it saved).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
