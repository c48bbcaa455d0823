use lethe_detectors::Scanner;
use std::time::Instant;
fn main() {
    let alphabet: Vec<char> = "0123456789 +()@:.,/#-_AaBbEeFfSExX\u{a0}Åä☎日\n\t'".chars().collect();
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut next = |n: usize| { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; (seed % n as u64) as usize };
    for iter in 0..20_000_000u64 {
        let len = next(40);
        let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
        let t = Instant::now();
        let f = Scanner::new().with_min_score(0.0).scan(&s, None);
        if t.elapsed().as_millis() > 50 || f.len() > 100 { println!("slow {iter}: {s:?}"); return; }
        std::hint::black_box(f);
    }
    println!("done");
}
