//! `math()`'s arithmetic for `--change-perfdata` and its siblings.
//!
//! Parsing, evaluating and dropping recurse once per level, so nesting is
//! bounded as for conditions ([`crate::expr::MAX_DEPTH`]): each parenthesis,
//! sign and chained operator counts one level, checked as the tree is
//! built.

use crate::expr::check_depth;

/// An expression and its depth.
type Built = Result<(Arith, usize), String>;

fn node(make: impl FnOnce() -> Arith, depth: usize) -> Built {
    check_depth(depth)?;
    Ok((make(), depth))
}

/// `math()`'s arithmetic: numbers, `current`, `+ - * /`, parentheses.
#[derive(Clone, Debug)]
pub(crate) enum Arith {
    Num(f64),
    Current,
    Neg(Box<Arith>),
    Bin(char, Box<Arith>, Box<Arith>),
}

impl Arith {
    pub(crate) fn parse(text: &str) -> Result<Arith, String> {
        let toks: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut pos = 0;
        let (e, _) = Arith::sum(&toks, &mut pos, 0)?;
        if pos != toks.len() {
            return Err(format!(
                "unexpected '{}'",
                toks.iter().skip(pos).collect::<String>()
            ));
        }
        Ok(e)
    }

    /// `open` counts the parentheses and signs around: they recurse
    /// without always adding a node.
    fn sum(t: &[char], pos: &mut usize, open: usize) -> Built {
        Arith::chain(t, pos, open, &['+', '-'], Arith::product)
    }

    fn product(t: &[char], pos: &mut usize, open: usize) -> Built {
        Arith::chain(t, pos, open, &['*', '/'], Arith::atom)
    }

    /// `operand (op operand)*`, left-associative, for one precedence level.
    fn chain(
        t: &[char],
        pos: &mut usize,
        open: usize,
        ops: &[char],
        operand: fn(&[char], &mut usize, usize) -> Built,
    ) -> Built {
        let mut left = operand(t, pos, open)?;
        while let Some(&op) = t.get(*pos).filter(|c| ops.contains(c)) {
            *pos += 1;
            let (right, dr) = operand(t, pos, open)?;
            let (l, dl) = left;
            left = node(
                || Arith::Bin(op, Box::new(l), Box::new(right)),
                dl.max(dr) + 1,
            )?;
        }
        Ok(left)
    }

    fn atom(t: &[char], pos: &mut usize, open: usize) -> Built {
        if matches!(t.get(*pos), Some('-' | '+' | '(')) {
            check_depth(open + 1)?;
        }
        match t.get(*pos) {
            Some('-') => {
                *pos += 1;
                let (a, d) = Arith::atom(t, pos, open + 1)?;
                node(|| Arith::Neg(Box::new(a)), d + 1)
            }
            Some('+') => {
                *pos += 1;
                Arith::atom(t, pos, open + 1)
            }
            Some('(') => {
                *pos += 1;
                let e = Arith::sum(t, pos, open + 1)?;
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
                    .map(|n| (Arith::Num(n), 1))
                    .map_err(|_| format!("bad number '{num}'"))
            }
            Some('c') => {
                let word: String = t.iter().skip(*pos).take(7).collect();
                if word == "current" {
                    *pos += 7;
                    Ok((Arith::Current, 1))
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

    pub(crate) fn eval(&self, current: f64) -> f64 {
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
