#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check_cloudtrail::fuzz::logfiles(data));
