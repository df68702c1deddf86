//! The condition language of Centreon's options (`--filter-perfdata-adv`,
//! `--change-output-adv`, `--warning-status` …), parsed and evaluated here
//! instead of Perl's `eval`.
//!
//! Grammar, with Perl's precedence (tightest first):
//!
//! ```text
//! primary  := %(name) | %{name} | 'text' | "text" | number | word | ( expr )
//! unary    := ! unary | primary
//! match    := unary [ (=~ | !~) /regex/flags ]
//! compare  := match [ (< <= > >= lt le gt ge) match ]
//! equal    := compare [ (== != eq ne) compare ]
//! and      := equal { && equal }      or := and { || and }
//! not      := not not | or            andw := not { and not }
//! expr     := andw { or andw }
//! ```
//!
//! Values are strings; numeric operators read them as Perl does (the
//! leading number, else 0). Truth is Perl's: `""` and `"0"` are false. A
//! bare `word` (not an operator, not a Perl function or keyword, not
//! followed by `(`) is the text it spells, as in Perl's non-strict `eval`.
//!
//! Parsing, evaluating and dropping a condition recurse once per level of
//! its tree, so a condition nested deeper than [`MAX_DEPTH`] is refused
//! while it is parsed, before the tree exists.

use regex_lite::{Regex, RegexBuilder};

use crate::perl;

#[derive(Debug, Clone)]
enum Node {
    Var(String),
    Lit(String),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cmp(Op, Box<Node>, Box<Node>),
    Match(Box<Node>, Regex, bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    NumEq,
    NumNe,
    NumLt,
    NumLe,
    NumGt,
    NumGe,
    StrEq,
    StrNe,
    StrLt,
    StrLe,
    StrGt,
    StrGe,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Var(String),
    Str(String),
    Num(String),
    Regex(String, String),
    Op(&'static str),
    LParen,
    RParen,
}

/// How deep a condition or a `math()` expression may nest: parentheses,
/// `!`/`not` and each chained operator count one level. Centreon's
/// documented conditions use fewer than five; 64 keeps every recursive
/// walk (about ten parser frames a level, a few KiB) far inside the
/// 8 MiB main stack even in a debug build, where thousands of levels
/// overflow it and abort the process with no output.
pub const MAX_DEPTH: usize = 64;

/// The one refusal of a too-deep expression, the same for every language.
pub fn check_depth(depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "nested deeper than {MAX_DEPTH} levels (parentheses, '!' and chained operators count)"
        ));
    }
    Ok(())
}

/// A node and the depth of its tree, checked as it is built.
type Built = Result<(Node, usize), String>;

fn one(make: impl FnOnce(Box<Node>) -> Node, (a, da): (Node, usize)) -> Built {
    check_depth(da + 1)?;
    Ok((make(Box::new(a)), da + 1))
}

fn two(
    make: impl FnOnce(Box<Node>, Box<Node>) -> Node,
    (a, da): (Node, usize),
    (b, db): (Node, usize),
) -> Built {
    let d = da.max(db) + 1;
    check_depth(d)?;
    Ok((make(Box::new(a), Box::new(b)), d))
}

/// A parsed condition.
#[derive(Debug, Clone)]
pub struct Expr {
    root: Node,
    text: String,
}

fn lex(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    while let Some(c) = at(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // %(name) or %{name}
        if c == '%' && matches!(at(i + 1), Some('(' | '{')) {
            let close = if at(i + 1) == Some('(') { ')' } else { '}' };
            let start = i + 2;
            let mut j = start;
            while at(j).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                j += 1;
            }
            if at(j) != Some(close) || j == start {
                return Err(format!("bad variable at '{}'", rest(&chars, i)));
            }
            out.push(Tok::Var(span(&chars, start, j)));
            i = j + 1;
            continue;
        }
        if c == '\'' || c == '"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match at(j) {
                    None => return Err(format!("unterminated string at '{}'", rest(&chars, i))),
                    Some('\\') if at(j + 1).is_some() => {
                        s.push(at(j + 1).unwrap_or('\\'));
                        j += 2;
                    }
                    Some(q) if q == c => break,
                    Some(x) => {
                        s.push(x);
                        j += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
            i = j + 1;
            continue;
        }
        let after_match = matches!(out.last(), Some(Tok::Op("=~" | "!~")));
        if after_match
            && (c == '/'
                || (c == 'm'
                    && at(i + 1).is_some_and(|d| !d.is_alphanumeric() && !d.is_whitespace())))
        {
            let delim = if c == 'm' {
                at(i + 1).unwrap_or('/')
            } else {
                '/'
            };
            let close = match delim {
                '{' => '}',
                '(' => ')',
                '[' => ']',
                '<' => '>',
                d => d,
            };
            let mut j = if c == 'm' { i + 2 } else { i + 1 };
            let mut re = String::new();
            loop {
                match at(j) {
                    None => return Err(format!("unterminated regex at '{}'", rest(&chars, i))),
                    Some('\\') if at(j + 1) == Some(close) => {
                        re.push(close);
                        j += 2;
                    }
                    Some('\\') => {
                        re.push('\\');
                        if let Some(n) = at(j + 1) {
                            re.push(n);
                        }
                        j += 2;
                    }
                    Some(x) if x == close => break,
                    Some(x) => {
                        re.push(x);
                        j += 1;
                    }
                }
            }
            j += 1;
            let mut flags = String::new();
            while at(j).is_some_and(|f| f.is_ascii_alphabetic()) {
                flags.extend(at(j));
                j += 1;
            }
            out.push(Tok::Regex(re, flags));
            i = j;
            continue;
        }
        if c.is_ascii_digit()
            || (c == '-'
                && at(i + 1).is_some_and(|d| d.is_ascii_digit())
                && !ends_operand(out.last()))
        {
            let mut j = i + 1;
            while at(j).is_some_and(|d| d.is_ascii_digit() || d == '.') {
                j += 1;
            }
            out.push(Tok::Num(span(&chars, i, j)));
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() {
            let mut j = i;
            while at(j).is_some_and(|d| d.is_ascii_alphanumeric() || d == '_') {
                j += 1;
            }
            let word = span(&chars, i, j);
            // The one function Centreon's conditions know: a variable here.
            if word == "alert_triggered" {
                let mut k = j;
                while at(k).is_some_and(char::is_whitespace) {
                    k += 1;
                }
                if at(k) == Some('(') {
                    k += 1;
                    while at(k).is_some_and(char::is_whitespace) {
                        k += 1;
                    }
                    if at(k) == Some(')') {
                        out.push(Tok::Var("alert_triggered()".into()));
                        i = k + 1;
                        continue;
                    }
                }
            }
            let op = match word.as_str() {
                "eq" => "eq",
                "ne" => "ne",
                "lt" => "lt",
                "le" => "le",
                "gt" => "gt",
                "ge" => "ge",
                "and" => "and",
                "or" => "or",
                "not" => "not",
                _ => {
                    out.push(bare_word(word, at(skip_space(&chars, j)) == Some('('))?);
                    i = j;
                    continue;
                }
            };
            out.push(Tok::Op(op));
            i = j;
            continue;
        }
        let two = span(&chars, i, i + 2);
        let op2 = ["==", "!=", "<=", ">=", "=~", "!~", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
        if let Some(o) = op2 {
            out.push(Tok::Op(o));
            i += 2;
            continue;
        }
        let op1 = match c {
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '!' => Tok::Op("!"),
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            _ => return Err(format!("unexpected '{c}' at '{}'", rest(&chars, i))),
        };
        out.push(op1);
        i += 1;
    }
    Ok(out)
}

/// Perl's built-in functions and keywords: in a condition they would call
/// or mean something, never be text, so they stay refused rather than
/// read as strings ([`bare_word`]).
const PERL_WORDS: &str = "\
    abs accept alarm atan2 bind binmode bless break caller chdir chmod chomp chop chown chr \
    chroot close closedir cmp connect continue cos crypt dbmclose dbmopen default defined \
    delete die do dump each else elsif endgrent endhostent endnetent endprotoent endpwent \
    endservent eof eval evalbytes exec exists exit exp fc fcntl fileno flock for foreach fork \
    format formline getc getgrent getgrgid getgrnam gethostbyaddr gethostbyname gethostent \
    getlogin getnetbyaddr getnetbyname getnetent getpeername getpgrp getppid getpriority \
    getprotobyname getprotobynumber getprotoent getpwent getpwnam getpwuid getservbyname \
    getservbyport getservent getsockname getsockopt given glob gmtime goto grep hex if index \
    int ioctl join keys kill last lc lcfirst length link listen local localtime lock log \
    lstat m map mkdir msgctl msgget msgrcv msgsnd my next no oct open opendir ord our pack \
    package pipe pop pos print printf prototype push q qq qr quotemeta qw qx rand read \
    readdir readline readlink readpipe recv redo ref rename require reset return reverse \
    rewinddir rindex rmdir s say scalar seek seekdir select semctl semget semop send \
    setgrent sethostent setnetent setpgrp setpriority setprotoent setpwent setservent \
    setsockopt shift shmctl shmget shmread shmwrite shutdown sin sleep socket socketpair \
    sort splice split sprintf sqrt srand stat state study sub substr symlink syscall sysopen \
    sysread sysseek system syswrite tell telldir tie tied time times tr truncate uc ucfirst \
    umask undef unless unlink unpack unshift untie until use utime values vec wait waitpid \
    wantarray warn when while write x xor y";

/// A word that is neither an operator nor `alert_triggered()`: Perl's
/// non-strict `eval` (which Centreon's conditions are written for) reads an
/// unknown bare word as the string it spells, so `%{logging} eq false` is
/// `%{logging} eq "false"`. That matters because engines strip quotes from
/// custom macros (Nagios' default `illegal_macro_output_chars`), turning a
/// template's `eq "false"` into `eq false`. A word Perl knows, or one
/// followed by `(` (a function call), stays an error.
fn bare_word(word: String, call: bool) -> Result<Tok, String> {
    if call {
        return Err(format!(
            "unknown word '{word}' (variables are written %{{name}})"
        ));
    }
    if PERL_WORDS.split_ascii_whitespace().any(|w| w == word) {
        return Err(format!(
            "'{word}' is a Perl function or keyword: quote it ('{word}') to mean the text"
        ));
    }
    Ok(Tok::Str(word))
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn ends_operand(t: Option<&Tok>) -> bool {
    matches!(
        t,
        Some(Tok::Var(_) | Tok::Str(_) | Tok::Num(_) | Tok::RParen)
    )
}

fn span(chars: &[char], from: usize, to: usize) -> String {
    chars
        .iter()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

fn rest(chars: &[char], i: usize) -> String {
    chars.iter().skip(i).take(20).collect()
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Parentheses and prefix operators open around the current token:
    /// they recurse without adding a node, so they are counted here.
    open: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat_op(&mut self, ops: &[&str]) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Op(o)) if ops.contains(o) => {
                let o = *o;
                self.pos += 1;
                Some(o)
            }
            _ => None,
        }
    }

    /// Parses with one more level open, refused past [`MAX_DEPTH`].
    fn nested(&mut self, inner: fn(&mut Parser) -> Built) -> Built {
        self.open += 1;
        check_depth(self.open)?;
        let r = inner(self);
        self.open -= 1;
        r
    }

    fn expr(&mut self) -> Built {
        let mut left = self.and_word()?;
        while self.eat_op(&["or"]).is_some() {
            left = two(Node::Or, left, self.and_word()?)?;
        }
        Ok(left)
    }

    fn and_word(&mut self) -> Built {
        let mut left = self.not_word()?;
        while self.eat_op(&["and"]).is_some() {
            left = two(Node::And, left, self.not_word()?)?;
        }
        Ok(left)
    }

    fn not_word(&mut self) -> Built {
        if self.eat_op(&["not"]).is_some() {
            let inner = self.nested(Parser::not_word)?;
            return one(Node::Not, inner);
        }
        self.or_sym()
    }

    fn or_sym(&mut self) -> Built {
        let mut left = self.and_sym()?;
        while self.eat_op(&["||"]).is_some() {
            left = two(Node::Or, left, self.and_sym()?)?;
        }
        Ok(left)
    }

    fn and_sym(&mut self) -> Built {
        let mut left = self.equal()?;
        while self.eat_op(&["&&"]).is_some() {
            left = two(Node::And, left, self.equal()?)?;
        }
        Ok(left)
    }

    fn equal(&mut self) -> Built {
        let left = self.compare()?;
        let op = match self.eat_op(&["==", "!=", "eq", "ne"]) {
            Some("==") => Op::NumEq,
            Some("!=") => Op::NumNe,
            Some("eq") => Op::StrEq,
            Some("ne") => Op::StrNe,
            _ => return Ok(left),
        };
        two(|a, b| Node::Cmp(op, a, b), left, self.compare()?)
    }

    fn compare(&mut self) -> Built {
        let left = self.matching()?;
        let op = match self.eat_op(&["<", "<=", ">", ">=", "lt", "le", "gt", "ge"]) {
            Some("<") => Op::NumLt,
            Some("<=") => Op::NumLe,
            Some(">") => Op::NumGt,
            Some(">=") => Op::NumGe,
            Some("lt") => Op::StrLt,
            Some("le") => Op::StrLe,
            Some("gt") => Op::StrGt,
            Some("ge") => Op::StrGe,
            _ => return Ok(left),
        };
        two(|a, b| Node::Cmp(op, a, b), left, self.matching()?)
    }

    fn matching(&mut self) -> Built {
        let left = self.unary()?;
        let Some(op) = self.eat_op(&["=~", "!~"]) else {
            return Ok(left);
        };
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Regex(re, flags)) => {
                self.pos += 1;
                let mut b = RegexBuilder::new(&re);
                for f in flags.chars() {
                    if !perl::regex_flag(&mut b, f) {
                        return Err(format!("unsupported regex flag '{f}'"));
                    }
                }
                let regex = b.build().map_err(|e| {
                    format!(
                        "regex /{re}/ is not supported: {}",
                        e.to_string().lines().last().unwrap_or("invalid")
                    )
                })?;
                one(|a| Node::Match(a, regex, op == "!~"), left)
            }
            _ => Err(format!("{op} must be followed by /regex/")),
        }
    }

    fn unary(&mut self) -> Built {
        if self.eat_op(&["!"]).is_some() {
            let inner = self.nested(Parser::unary)?;
            return one(Node::Not, inner);
        }
        self.primary()
    }

    fn primary(&mut self) -> Built {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::Var(v)) => Ok((Node::Var(v), 1)),
            Some(Tok::Str(s) | Tok::Num(s)) => Ok((Node::Lit(s), 1)),
            Some(Tok::LParen) => {
                let inner = self.nested(Parser::expr)?;
                match self.toks.get(self.pos) {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err("missing ')'".into()),
                }
            }
            Some(t) => Err(format!("unexpected {}", describe(&t))),
            None => Err("unexpected end".into()),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Op(o) => format!("'{o}'"),
        Tok::RParen => "')'".into(),
        Tok::LParen => "'('".into(),
        Tok::Regex(r, _) => format!("/{r}/"),
        Tok::Var(v) => format!("%{{{v}}}"),
        Tok::Str(s) | Tok::Num(s) => format!("'{s}'"),
    }
}

fn truthy(s: &str) -> bool {
    !(s.is_empty() || s == "0")
}

fn bool_str(b: bool) -> String {
    if b { "1".into() } else { String::new() }
}

impl Expr {
    /// Parses `text`; the error is a phrase to put after the option name.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err("empty condition".into());
        }
        let mut p = Parser {
            toks,
            pos: 0,
            open: 0,
        };
        let (root, _) = p.expr()?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(format!(
                "unexpected {} after a complete condition",
                describe(t)
            ));
        }
        Ok(Expr {
            root,
            text: text.to_owned(),
        })
    }

    /// Every variable named, to check them against what a context offers.
    pub fn variables(&self) -> Vec<String> {
        fn walk(n: &Node, out: &mut Vec<String>) {
            match n {
                Node::Var(v) => out.push(v.clone()),
                Node::Lit(_) => {}
                Node::Not(a) | Node::Match(a, _, _) => walk(a, out),
                Node::And(a, b) | Node::Or(a, b) | Node::Cmp(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut v = Vec::new();
        walk(&self.root, &mut v);
        v
    }

    /// Parses and checks that every variable is one of `allowed`.
    pub fn parse_with(text: &str, allowed: &[&str]) -> Result<Expr, String> {
        let e = Expr::parse(text)?;
        if let Some(v) = e
            .variables()
            .iter()
            .find(|v| !allowed.contains(&v.as_str()))
        {
            return Err(format!(
                "unknown variable %{{{v}}} (known: {})",
                allowed
                    .iter()
                    .map(|a| format!("%{{{a}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(e)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates with `var` giving each variable's value (unknown ones are
    /// empty, as Perl's undef).
    pub fn eval(&self, var: &dyn Fn(&str) -> Option<String>) -> bool {
        truthy(&value(&self.root, var))
    }
}

fn value(n: &Node, var: &dyn Fn(&str) -> Option<String>) -> String {
    match n {
        Node::Var(v) => var(v).unwrap_or_default(),
        Node::Lit(s) => s.clone(),
        Node::Not(a) => bool_str(!truthy(&value(a, var))),
        Node::And(a, b) => {
            let l = value(a, var);
            if truthy(&l) { value(b, var) } else { l }
        }
        Node::Or(a, b) => {
            let l = value(a, var);
            if truthy(&l) { l } else { value(b, var) }
        }
        Node::Match(a, re, negate) => bool_str(re.is_match(&value(a, var)) != *negate),
        Node::Cmp(op, a, b) => {
            let (l, r) = (value(a, var), value(b, var));
            let (x, y) = (perl::to_number(&l), perl::to_number(&r));
            bool_str(match op {
                Op::NumEq => x == y,
                Op::NumNe => x != y,
                Op::NumLt => x < y,
                Op::NumLe => x <= y,
                Op::NumGt => x > y,
                Op::NumGe => x >= y,
                Op::StrEq => l == r,
                Op::StrNe => l != r,
                Op::StrLt => l < r,
                Op::StrLe => l <= r,
                Op::StrGt => l > r,
                Op::StrGe => l >= r,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, vars: &[(&str, &str)]) -> bool {
        let e = Expr::parse(text).unwrap_or_else(|m| panic!("{text}: {m}"));
        e.eval(&|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn centreon_documentation_examples() {
        assert!(eval(
            "%{multi_region} eq \"false\"",
            &[("multi_region", "false")]
        ));
        assert!(!eval(
            "%{multi_region} eq \"false\"",
            &[("multi_region", "true")]
        ));
        // --filter-perfdata-adv='not (%(value) == 0 and %(max) eq "")'
        let cond = "not (%(value) == 0 and %(max) eq \"\")";
        assert!(!eval(cond, &[("value", "0"), ("max", "")]));
        assert!(eval(cond, &[("value", "0"), ("max", "100")]));
        assert!(eval(cond, &[("value", "3"), ("max", "")]));
        // --change-output-adv='%(short_output) =~ /UNKNOWN: No daemon/'
        assert!(eval(
            "%(short_output) =~ /UNKNOWN: No daemon/",
            &[("short_output", "UNKNOWN: No daemon running")]
        ));
        assert!(eval("%{status} !~ /^ok$/i", &[("status", "failed")]));
        assert!(!eval("%{status} !~ /^ok$/i", &[("status", "OK")]));
    }

    #[test]
    fn precedence_and_perl_values() {
        assert!(eval("1 || 0 && 0", &[]));
        assert!(!eval("(1 || 0) && 0", &[]));
        assert!(eval("not 0 and 1", &[]));
        assert!(eval("!0 && !''", &[]));
        assert!(eval("%{v} > 9", &[("v", "10")]));
        assert!(eval("%{v} lt 9", &[("v", "10")]), "string comparison");
        assert!(eval("%{v} == 1.5", &[("v", "1.50")]));
        assert!(eval("%{v} eq '1.50'", &[("v", "1.50")]));
        assert!(eval("%{missing} eq ''", &[]));
        assert!(eval("%{v} == -2", &[("v", "-2")]));
        assert_eq!(perl::to_number("12abc"), 12.0);
        assert_eq!(perl::to_number(" -3.5e2"), -3.5);
        assert_eq!(perl::to_number("abc"), 0.0);
        assert!(eval("%{s} =~ m{a/b}", &[("s", "xa/by")]));
        assert!(eval("%{s} =~ /a\\/b/", &[("s", "a/b")]));
    }

    /// Every way of nesting stops at [`MAX_DEPTH`] with the same reason,
    /// whatever the length: no stack overflow in the parser, the
    /// evaluator or the drop of the tree (a test thread has only 2 MiB).
    #[test]
    fn nesting_is_bounded() {
        let nest = |open: &str, inner: &str, close: &str, n: usize| {
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        };
        let at_limit = [
            nest("(", "%{x} eq 1", ")", MAX_DEPTH),
            nest("!", "0", "", MAX_DEPTH - 1),
            nest("not ", "1", "", MAX_DEPTH - 1),
            format!("1{}", " && 1".repeat(MAX_DEPTH - 1)),
            format!("0{}", " or 0".repeat(MAX_DEPTH - 1)),
        ];
        for ok in &at_limit {
            assert!(Expr::parse(ok).is_ok(), "{ok}");
        }
        for n in [MAX_DEPTH + 1, 3_000, 200_000] {
            for bad in [
                nest("(", "%{x} eq 1", ")", n),
                nest("!", "0", "", n),
                nest("not ", "1", "", n),
                nest("!(", "1", ")", n),
                format!("1{}", " && 1".repeat(n)),
                format!("1{}", " || 1".repeat(n)),
                format!("%{{x}}{}", " =~ /a/ && 1".repeat(n)),
            ] {
                let e = Expr::parse(&bad).err().unwrap_or_default();
                assert!(e.contains("nested deeper than 64 levels"), "{n}: {e}");
            }
        }
    }

    #[test]
    fn bare_words_are_strings_as_in_perl() {
        // What a Centreon template's `eq "false"` becomes once Nagios has
        // stripped the quotes of the custom macro holding it.
        let stripped = "%{logging} eq false or %{multi_region} eq false";
        assert!(eval(
            stripped,
            &[("logging", "false"), ("multi_region", "true")]
        ));
        assert!(!eval(
            stripped,
            &[("logging", "true"), ("multi_region", "true")]
        ));
        assert!(eval("%{status} ne running", &[("status", "stopped")]));
        assert!(eval("%{name} eq main_trail2", &[("name", "main_trail2")]));
        // A bare word alone is a true string, as in Perl.
        assert!(eval("false", &[]));
        // Numbers stay numbers, operators stay operators.
        assert!(eval("%{v} == 10.0", &[("v", "10")]));
        assert!(eval(
            "%{v} eq true and not %{w} eq true",
            &[("v", "true"), ("w", "no")]
        ));
        assert!(
            eval("%{v} eq or1", &[("v", "or1")]),
            "a word that only starts like one"
        );
        for (bad, says) in [
            ("%{x} eq system('ls')", "unknown word 'system'"),
            ("%{x} eq foo ()", "unknown word 'foo'"),
            ("%{x} eq time", "'time' is a Perl function or keyword"),
            ("%{x} eq x", "'x' is a Perl function or keyword"),
            ("%{x} eq qw", "'qw' is a Perl function or keyword"),
            ("%{x} eq false true", "after a complete condition"),
            ("%{x} eq", "unexpected end"),
        ] {
            let e = Expr::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?} gave {e:?}");
        }
    }

    #[test]
    fn errors_quote_the_problem() {
        for (bad, says) in [
            ("", "empty"),
            ("%{x} eq", "unexpected end"),
            ("(%{x} eq 1", "missing ')'"),
            ("%{x} =~ 'a'", "must be followed by /regex/"),
            ("system('rm -rf /')", "unknown word 'system'"),
            ("%{x} eq 'open", "unterminated string"),
            ("%{x} =~ /(?=a)/", "is not supported"),
            ("%{x} =~ /a/e", "unsupported regex flag 'e'"),
            ("1 1", "after a complete condition"),
            ("%{x} ; 1", "unexpected ';'"),
            ("$x", "unexpected '$'"),
        ] {
            let e = Expr::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?} gave {e:?}");
        }
        let e = Expr::parse_with("%{nope} eq 1", &["status", "value"]).unwrap_err();
        assert_eq!(e, "unknown variable %{nope} (known: %{status}, %{value})");
        assert!(Expr::parse_with("%(value) > 1", &["value"]).is_ok());
    }
}
