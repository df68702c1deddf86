//! Wiring only: parse → run → print once → exit.

use std::io::Write;
use std::process::ExitCode;

use check_cloudtrail::aws::credentials::SharedFiles;
use check_cloudtrail::clock::SystemClock;
use check_cloudtrail::env::ProcessEnv;
use check_cloudtrail::{cli, execute, panic_line};

fn main() -> ExitCode {
    // A panic is still a plugin answer: UNKNOWN on stdout, exit 3.
    std::panic::set_hook(Box::new(|info| {
        let msg = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "panic".to_owned()),
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(panic_line(&msg).as_bytes());
        let _ = out.flush();
        std::process::exit(3);
    }));
    // Debug builds only: lets the tests prove the hook above.
    #[cfg(debug_assertions)]
    #[allow(clippy::panic)]
    if std::env::var_os("CHECK_CLOUDTRAIL_TEST_PANIC").is_some() {
        panic!("deliberate test panic");
    }
    // The AWS profile files, read once: the region and the credentials may
    // both come from them.
    let files = SharedFiles::load(&ProcessEnv);
    let invocation = cli::parse(std::env::args_os(), &ProcessEnv, files.as_ref().ok());
    let write_file = |path: &str, text: &str| std::fs::write(path, text);
    let finished = execute(invocation, &ProcessEnv, &files, &SystemClock, &write_file);
    let mut out = std::io::stdout().lock();
    // Nothing useful can be done if stdout is gone; the exit code stands.
    let _ = out.write_all(finished.text.as_bytes());
    let _ = out.flush();
    ExitCode::from(finished.exit_code)
}
