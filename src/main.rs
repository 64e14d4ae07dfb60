use clap::Parser;
use jalin::config::{Cli, Command};

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let result = match Cli::parse().command() {
        Command::Serve(args) => actix_web::rt::System::new().block_on(jalin::server::serve(args)),
        Command::Migrate(args) => jalin::server::open_database(&args, 1).map(drop),
        Command::Import(args) => jalin::server::import_file(&args).map(|summary| println!("{summary}")),
        Command::Token(jalin::config::TokenCommand::Create(args)) => {
            jalin::server::create_token(&args).map(|token| println!("{token}"))
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
            eprintln!("jalin: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
