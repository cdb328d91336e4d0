#!/usr/bin/env python3
"""gradebox harness runner: grades a Python solution against assert-style tests, one test per assert.

It runs inside the sandbox, next to the submission, and writes Gradescope's results.json:

  python3 -I run_tests.py --tests tests.py [--check check --candidate NAME] [--solution solution.py]
      [--results results.json] [--time-limit-ms 3000] [--budget-ms 10000] [--memory-mb 192]

Which statements are tests: with --check, the body of the function `check(candidate)` in the tests
file (HumanEval), called with the solution's function NAME; without it, the tests file's own
top-level statements (MBPP). Each statement holding an `assert` (not a constant `assert True`) is
one test, worth one point; the other statements are set-up, replayed before every later test. When
a test statement binds a name that a later statement reads, the tests depend on each other and the
whole block is one test instead. (Only names are tracked: tests that rely on an earlier test having
mutated an object would be split wrongly; HumanEval and MBPP have none, their references all pass.)

The tests run in a forked test process, each in a fresh namespace (solution.py and the tests
executed anew), so a test sees no globals another test changed (the process itself, with its
imported modules, is shared). The runner gives every test a wall-clock limit and kills the test
process when it is over (un-catchable, unlike signal.alarm) or when a test crashed it, and starts a
new one from the next test: an infinite loop fails one test, not the report. When the tests
together have used --budget-ms, the rest are not run. An AssertionError raised by the tests is
"wrong answer"; any other exception is reported by its type (and the line of solution.py); a
timeout is "time limit".

Trust (read this before relying on the scores): the submission runs as the same user as this
runner. The runner never executes (or even compiles) the submission; only the test processes do.
They get RLIMIT_FSIZE 0, so they cannot put content in any file (results.json included), and they
are killed, with everything they started, before the runner writes results.json by rename
(replacing whatever the submission left at that name). What this cannot stop:
- code in the same process as an assert can fake it (an object whose __eq__ is always true, or a
  forged report on the test process's pipe): in-process unit tests trust the code they test;
- a submission that kills this runner leaves no results (the grader then reports an error, not a
  score), unless it brought a JSON file of its own (a second file of a folder submission) and
  renames it into place before killing the runner. The grading host closes that gap only by
  trusting results.json after an exit status of 0: this runner exits 0 when, and only when, it
  wrote the results.
"""
import ast
import gc
import json
import os
import resource
import select
import signal
import sys
import time
import types

UNIT_FUNCTION = '__gradebox_unit__'
OUTPUT_CAP = 1024      # bytes of a test's printed output kept
REPORT_CAP = 4096      # bytes of a test process's report read
NAME_CHARS = 80


class HarnessError(Exception):
    """The grader's own files are broken (not the student's fault)."""


# ---- Finding the tests ----

def nodes_outside_defs(node):
    """Every node of a statement, not descending into nested functions, classes and lambdas."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            yield from nodes_outside_defs(child)


def is_test(stmt):
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and stmt.test.value:
        return False  # `assert True, "..."` can never fail: no free points
    return any(isinstance(n, ast.Assert) for n in nodes_outside_defs(stmt))


def names(stmts, ctx):
    return {n.id for s in stmts for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def split(body):
    """[(setup statements, test statement)], or None when the block must stay one test."""
    tests = [i for i, s in enumerate(body) if is_test(s)]
    if not tests or any(names([body[i]], ast.Store) & names(body[i + 1:], ast.Load) for i in tests):
        return None
    return [([s for s in body[:i] if not is_test(s)], body[i]) for i in tests]


def unit_name(number, stmt, source):
    text = ' '.join((ast.get_source_segment(source, stmt) or ast.unparse(stmt)).split())
    if len(text) > NAME_CHARS:
        text = text[:NAME_CHARS - 1] + '…'
    return f'{number}: {text}'


def load_units(tests_path, check_name):
    """The tests file compiled (None without --check) and its tests as (name, code) pairs, compiled
    here from the instructor's file, never from the submission."""
    try:
        with open(tests_path, encoding='utf-8') as f:
            source = f.read()
        tree = ast.parse(source, tests_path)
    except (OSError, SyntaxError, ValueError) as e:
        raise HarnessError(f'cannot read the tests {tests_path}: {e}') from e
    check = None
    if check_name is not None:
        check = next((s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == check_name), None)
        if check is None:
            raise HarnessError(f'{tests_path} defines no function {check_name}()')
    body = tree.body if check is None else check.body
    if not body:
        raise HarnessError(f'{tests_path} has no tests')
    pairs = split(body)
    if pairs is None:
        whole = f'1: all tests{"" if check is None else f" of {check_name}()"}'
        named = [(whole, body)]
    else:
        named = [(unit_name(n, stmt, source), setup + [stmt]) for n, (setup, stmt) in enumerate(pairs, 1)]
    units = [(name, compile(ast.fix_missing_locations(unit_module(check, stmts)), tests_path, 'exec')) for name, stmts in named]
    return (None if check is None else compile(tree, tests_path, 'exec')), units


def unit_module(check, stmts):
    """A module running the statements: at top level, or as a copy of check() to call with the candidate."""
    if check is None:
        return ast.Module(body=stmts, type_ignores=[])
    fn = ast.FunctionDef(name=UNIT_FUNCTION, args=check.args, body=stmts, decorator_list=[], returns=None)
    return ast.Module(body=[ast.copy_location(fn, check)], type_ignores=[])


def find_solution(preferred, own_files):
    """solution.py, or else the one other .py file of the submission (students name files freely)."""
    if os.path.isfile(preferred):
        return preferred, None
    others = sorted(n for n in os.listdir('.') if n.endswith('.py') and n not in own_files and os.path.isfile(n))
    if len(others) == 1:
        return others[0], None
    return None, f'No {preferred} found: submit one Python file named {preferred} that defines the function(s).'


# ---- The test process: runs the tests from a given one on, reporting each on a pipe ----

def failure_text(error, tests_path, solution_path):
    """What a student sees: wrong answer for a failed assert of the tests, else the exception."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    if isinstance(error, AssertionError) and frames and frames[-1][0] == tests_path:
        return 'wrong answer'
    if isinstance(error, SystemExit):
        return 'the solution called exit() while being tested'
    if isinstance(error, MemoryError):
        return 'memory limit (MemoryError)'
    where = next((f' ({solution_path} line {line})' for name, line in reversed(frames) if name == solution_path), '')
    message = str(error).splitlines()[0][:200] if str(error) else ''
    return f'{type(error).__name__}{": " + message if message else ""}{where}'


def run_one(args, solution, solution_path, module_code, code):
    """One test in a fresh namespace: the solution, the tests file (with --check), then the test."""
    module = types.ModuleType('solution')
    module.__file__ = solution_path
    sys.modules['solution'] = module
    namespace = module.__dict__
    exec(solution, namespace)
    if module_code is not None:
        exec(module_code, namespace)
    exec(code, namespace)
    if args.candidate is not None:
        candidate = namespace.get(args.candidate)
        if not callable(candidate):
            return {'passed': False, 'text': f'{solution_path} does not define the function {args.candidate}()'}
        namespace[UNIT_FUNCTION](candidate)
    return {'passed': True}


def limit_child(args):
    # No file content: the submission cannot write results.json (or anything else).
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if args.memory_mb:
        size = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def child_main(args, solution_path, module_code, units, first, pipes):
    """The test process (never returns). The solution is read and compiled here, not in the runner.
    After each report it waits for the runner's go-ahead, so what it printed for a test is all in the
    output pipe (and nothing of the next test) when the runner reads it."""
    report_w, out_w, go_r = pipes
    try:
        os.dup2(os.open('/dev/null', os.O_RDONLY), 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.setpgid(0, 0)
        limit_child(args)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sys.path.insert(0, os.getcwd())  # -I left it out; the submission may import its own modules
        sys.argv = [solution_path]
        solution, problem = None, None
        try:
            with open(solution_path, encoding='utf-8', errors='replace') as f:
                solution = compile(f.read(), solution_path, 'exec')
        except BaseException as error:  # noqa: BLE001 -- a SyntaxError is the student's result
            problem = failure_text(error, args.tests, solution_path)
        for _, code in units[first:]:
            try:
                report = {'passed': False, 'text': problem} if problem else run_one(args, solution, solution_path, module_code, code)
            except BaseException as error:  # noqa: BLE001 -- everything the submission raises is a result
                report = {'passed': False, 'text': failure_text(error, args.tests, solution_path)}
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(report_w, json.dumps(report).encode()[:REPORT_CAP - 1] + b'\n')
            if not os.read(go_r, 1):
                break
    finally:
        os._exit(0)


# ---- The runner's side ----

# Set in main: True when this runner was alone with init in its pid namespace (a sandbox), where
# kill(-1) reaches only what the tests started. Elsewhere (a developer's shell) it would kill every
# process of the user, so there only the test process's group is killed.
ALONE = False


def sweep(group=None):
    """SIGKILL every process but init and this one (Linux's kill(-1) spares the caller), and reap."""
    try:
        if ALONE:
            os.kill(-1, signal.SIGKILL)
        elif group is not None:
            os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def others_alive():
    """Processes of this sandbox other than init and the runner that have not exited."""
    alive = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in (1, os.getpid()):
            continue
        try:
            with open(f'/proc/{entry}/stat', 'rb') as f:
                state = f.read().rsplit(b')', 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b'Z', b'X'):
            alive.append(entry)
    return alive


class TestProcess:
    """The runner's view of one test process: which test it is on, and what it printed for it."""

    def __init__(self, args, solution_path, module_code, units, first):
        self.report_r, report_w = os.pipe()
        self.out_r, out_w = os.pipe()
        go_r, self.go_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        # Objects the collector never scans are not copied page by page into the test process.
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:
            for fd in (self.report_r, self.out_r, self.go_w):
                os.close(fd)
            child_main(args, solution_path, module_code, units, first, (report_w, out_w, go_r))
        for fd in (report_w, out_w, go_r):
            os.close(fd)
        self.lines = bytearray()
        self.printed = bytearray()
        self.open = [self.report_r, self.out_r]

    def wait(self, timeout):
        """Reads what arrives within `timeout` s. Printed output beyond the cap is dropped."""
        for fd in select.select(self.open, [], [], timeout)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                self.open.remove(fd)
            elif fd == self.out_r:
                self.printed += chunk[:max(0, OUTPUT_CAP - len(self.printed))]
            else:
                self.lines += chunk

    def reporting(self):
        """False once the test process closed its report pipe (it ended)."""
        return self.report_r in self.open

    def drain_output(self):
        while self.out_r in self.open and select.select([self.out_r], [], [], 0)[0]:
            self.wait(0)

    def take_printed(self):
        """What the solution printed during the test just reported; then lets the next test start."""
        self.drain_output()
        printed, self.printed = self.printed.decode('utf-8', 'replace').strip(), bytearray()
        try:
            os.write(self.go_w, b'.')
        except BrokenPipeError:
            pass
        return printed

    def next_report(self):
        """A complete report line, or None."""
        if b'\n' not in self.lines:
            if len(self.lines) >= REPORT_CAP:
                return {'passed': False, 'text': 'the test process sent a garbled report'}
            return None
        line, _, self.lines = self.lines.partition(b'\n')
        try:
            report = json.loads(line.decode('utf-8', 'replace'))
        except ValueError:
            report = None
        return report if isinstance(report, dict) else {'passed': False, 'text': 'the test process sent a garbled report'}

    def end(self, kill):
        """Stops the process (and, in a sandbox, everything it started); returns its wait status."""
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        try:
            status = os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            status = 0
        sweep(self.pid)
        for fd in (self.report_r, self.out_r, self.go_w):
            os.close(fd)
        return status


def result(report, printed):
    """(passed, text) of a test from its report and what the solution printed during it."""
    if report.get('passed') is True:
        return True, ''
    text = report.get('text') if isinstance(report.get('text'), str) else 'failed'
    if printed:
        text += '\n--- printed by the solution (cut at 1 KiB) ---\n' + printed[:OUTPUT_CAP]
    return False, text


def ended_text(status):
    if os.WIFSIGNALED(status):
        return f'the test process was killed by {signal.Signals(os.WTERMSIG(status)).name}'
    return 'the test ended without a result (did the solution call os._exit?)'


def run_from(args, solution_path, module_code, units, first, results):
    """Runs tests from `first` on in one process until they are done or one times out or kills it;
    returns the index of the next test to run."""
    proc = TestProcess(args, solution_path, module_code, units, first)
    index, limit_s = first, args.time_limit_ms / 1000
    deadline = time.monotonic() + limit_s
    while index < len(units):
        report = proc.next_report()
        if report is not None:
            results[index] = result(report, proc.take_printed())
            index += 1
            deadline = time.monotonic() + limit_s
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            printed = proc.take_printed()
            proc.end(kill=True)
            results[index] = result({'text': f'time limit ({limit_s:g} s per test)'}, printed)
            return index + 1
        if not proc.reporting():
            printed = proc.take_printed()
            results[index] = result({'text': ended_text(proc.end(kill=False))}, printed)
            return index + 1
        proc.wait(remaining)
    proc.end(kill=False)
    return index


def run_all(args, solution_path, module_code, units):
    """[(passed, text)] per test; when the time for all tests is spent, the rest are not run."""
    results = [None] * len(units)
    started, index = time.monotonic(), 0
    while index < len(units):
        if (time.monotonic() - started) * 1000 >= args.budget_ms:
            for i in range(index, len(units)):
                results[i] = (False, f'not run: earlier tests used up the time for all tests ({args.budget_ms / 1000:g} s)')
            break
        index = run_from(args, solution_path, module_code, units, index, results)
    return results


# ---- Results ----

def write_results(path, tests, output):
    """After every other process is gone, writes results.json by rename over whatever is there."""
    for _ in range(100):
        sweep()
        if not ALONE or not others_alive():
            break
        time.sleep(0.01)
    else:
        raise HarnessError('processes started by the solution could not be stopped')
    data = json.dumps({'output': output, 'tests': tests}, indent=1).encode()
    temp = f'.results-{os.getpid()}-{os.urandom(8).hex()}.tmp'
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    if os.path.isdir(path) and not os.path.islink(path):
        import shutil
        shutil.rmtree(path)
    os.rename(temp, path)


def grade(args, solution_path, problem):
    module_code, units = load_units(args.tests, args.check)
    if problem:
        results = [(False, problem)] * len(units)
    else:
        results = run_all(args, solution_path, module_code, units)
    tests = [{'name': name, 'number': str(n), 'score': int(ok), 'max_score': 1, 'status': 'passed' if ok else 'failed',
              'output': text, 'visibility': 'visible'} for n, ((name, _), (ok, text)) in enumerate(zip(units, results), 1)]
    passed = sum(ok for ok, _ in results)
    return tests, f'{passed} of {len(tests)} tests passed.' + (f'\n{problem}' if problem else '')


# The options (see the top of this file) and their defaults. Parsed by hand: argparse costs more
# start-up time than the tests of a typical task, and every submission pays it.
OPTIONS = {
    '--tests': (str, None), '--check': (str, None), '--candidate': (str, None),
    '--solution': (str, 'solution.py'), '--results': (str, 'results.json'),
    '--time-limit-ms': (int, 3000), '--budget-ms': (int, 10000), '--memory-mb': (int, 0),
}


def parse_args(argv):
    values = {flag[2:].replace('-', '_'): default for flag, (_, default) in OPTIONS.items()}
    words = iter(argv)
    for flag in words:
        value = next(words, None)
        if flag not in OPTIONS or value is None:
            raise HarnessError(f'bad option {flag!r}; usage: see the top of run_tests.py')
        try:
            values[flag[2:].replace('-', '_')] = OPTIONS[flag][0](value)
        except ValueError:
            raise HarnessError(f'{flag} needs a whole number, got {value!r}') from None
    if values['tests'] is None:
        raise HarnessError('missing --tests FILE')
    if (values['check'] is None) != (values['candidate'] is None):
        raise HarnessError('--check and --candidate go together')
    return types.SimpleNamespace(**values)


def main(argv):
    global ALONE
    try:
        args = parse_args(argv)
        ALONE = not others_alive()
        if not ALONE:
            print('run_tests.py: not alone in a pid namespace (not in a sandbox?): only each test\'s process group is stopped', file=sys.stderr)
        own = {os.path.basename(sys.argv[0]), os.path.basename(args.tests)}
        solution_path, problem = find_solution(args.solution, own)
        tests, summary = grade(args, solution_path, problem)
        write_results(args.results, tests, summary)
    except HarnessError as e:
        print(f'harness error: {e}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
