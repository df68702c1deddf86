//! `math()`'s arithmetic for `--change-perfdata` and its siblings.

/// `math()`'s arithmetic: numbers, `current`, `+ - * /`, parentheses.
#[derive(Clone, Debug)]
pub(super) enum Arith {
    Num(f64),
    Current,
    Neg(Box<Arith>),
    Bin(char, Box<Arith>, Box<Arith>),
}

impl Arith {
    pub(super) fn parse(text: &str) -> Result<Arith, String> {
        let toks: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut pos = 0;
        let e = Arith::sum(&toks, &mut pos)?;
        if pos != toks.len() {
            return Err(format!(
                "unexpected '{}'",
                toks.iter().skip(pos).collect::<String>()
            ));
        }
        Ok(e)
    }

    fn sum(t: &[char], pos: &mut usize) -> Result<Arith, String> {
        let mut left = Arith::product(t, pos)?;
        while let Some(&op @ ('+' | '-')) = t.get(*pos) {
            *pos += 1;
            left = Arith::Bin(op, Box::new(left), Box::new(Arith::product(t, pos)?));
        }
        Ok(left)
    }

    fn product(t: &[char], pos: &mut usize) -> Result<Arith, String> {
        let mut left = Arith::atom(t, pos)?;
        while let Some(&op @ ('*' | '/')) = t.get(*pos) {
            *pos += 1;
            left = Arith::Bin(op, Box::new(left), Box::new(Arith::atom(t, pos)?));
        }
        Ok(left)
    }

    fn atom(t: &[char], pos: &mut usize) -> Result<Arith, String> {
        match t.get(*pos) {
            Some('-') => {
                *pos += 1;
                Ok(Arith::Neg(Box::new(Arith::atom(t, pos)?)))
            }
            Some('+') => {
                *pos += 1;
                Arith::atom(t, pos)
            }
            Some('(') => {
                *pos += 1;
                let e = Arith::sum(t, pos)?;
                if t.get(*pos) != Some(&')') {
                    return Err("missing ')'".into());
                }
                *pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || *c == '.' => {
                let num: String = t
                    .iter()
                    .skip(*pos)
                    .take_while(|c| c.is_ascii_digit() || **c == '.')
                    .collect();
                *pos += num.len();
                num.parse()
                    .map(Arith::Num)
                    .map_err(|_| format!("bad number '{num}'"))
            }
            Some('c') => {
                let word: String = t.iter().skip(*pos).take(7).collect();
                if word == "current" {
                    *pos += 7;
                    Ok(Arith::Current)
                } else {
                    Err(format!("unexpected '{word}'"))
                }
            }
            Some(c) => Err(format!(
                "unexpected '{c}' (numbers, current, + - * / and parentheses only)"
            )),
            None => Err("unexpected end".into()),
        }
    }

    pub(super) fn eval(&self, current: f64) -> f64 {
        match self {
            Arith::Num(n) => *n,
            Arith::Current => current,
            Arith::Neg(a) => -a.eval(current),
            Arith::Bin(op, a, b) => {
                let (x, y) = (a.eval(current), b.eval(current));
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ => x / y,
                }
            }
        }
    }
}
