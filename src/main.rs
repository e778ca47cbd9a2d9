fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(hopaudit::cli::run())
}
