#!/usr/bin/env python3
"""gradebox harness runner: grades a Python solution against assert-style tests, one test per assert.

It plays two roles, in two sandboxes that gradebox joins with pipes (each one's stdout is the
other's stdin); the submission and the runner never share a sandbox:

  runner (the instructor's side; writes Gradescope's results.json in its own /box):
    python3 -I run_tests.py --tests tests.py [--check check --candidate NAME] [--solution-names A,B]
        [--results results.json] [--time-limit-ms 3000] [--budget-ms 10000]
  solution server (the submission's side, next to the student's files):
    python3 -I run_tests.py --serve [--solution solution.py] [--memory-mb 192]

Which statements are tests: with --check, the body of the function `check(candidate)` in the tests
file (HumanEval), called with the solution's function NAME; without it, the tests file's own
top-level statements (MBPP). Each statement holding an `assert` (not a constant `assert True`) is
one test, worth one point; the other statements are set-up, replayed before every later test. When
a test statement binds a name that a later statement reads, the tests depend on each other and the
whole block is one test instead. (Only names are tracked: tests that rely on an earlier test having
mutated an object would be split wrongly; HumanEval and MBPP have none, their references all pass.)

Trust: the runner owns the tests, every comparison and the report. The solution's code runs only
in the other sandbox; what crosses the pipe is data (see "The wire" below: numbers, strings,
lists, tuples, dicts, sets, bytes), never a live object whose methods the student wrote. Whatever
the solution does (exit early, raise SystemExit, monkeypatch, print markers, write files, forge
answers on the pipe, return an object whose __eq__ is always true), the runner only ever sees
values, and compares them itself: it can pass a test only by answering with the right values.
An object the tests need but that is not data (an instance of a class the solution defines) stays
in the solution's sandbox; the runner holds a handle to it (Remote) that is equal only to itself,
has no truth value, and forwards calls, attribute reads and writes, indexing, len, str and
iteration, whose answers are again data or handles.

The solution server starts a fresh test process for every test (the solution executed anew, so a
test sees no globals another test changed), forwards the runner's requests to it and kills it when
a request takes longer than the test's time limit; the runner keeps its own clock too, so a server
that stops answering fails the test (and the ones after it), never the report.
"""
import ast
import base64
import builtins
import importlib
import json
import os
import resource
import select
import signal
import sys
import time
import types

UNIT_FUNCTION = '__gradebox_unit__'
OUTPUT_CAP = 1024          # bytes of what the solution printed during a test, kept for its feedback
LINE_CAP = 64 * 1024 * 1024  # bytes of one message on the wire
NAME_CHARS = 80
NESTING = 200              # depth of a value on the wire
GRACE_S = 1.0              # how much longer than the time limit the runner waits for the server


class HarnessError(Exception):
    """The grader's own files are broken (not the student's fault)."""


# ---- The wire: JSON lines; values are plain data, tagged where JSON has no such type ----

def encode(value, handle, depth=0):
    """A value as JSON-able data; what is not data goes through handle(value) (or raises TypeError)."""
    if depth > NESTING:
        raise ValueError('a value nested too deeply to send')
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    nested = lambda items: [encode(item, handle, depth + 1) for item in items]  # noqa: E731
    if isinstance(value, list):
        return nested(value)
    if isinstance(value, tuple):
        return {'$tuple': nested(value)}
    if isinstance(value, frozenset):
        return {'$frozenset': nested(value)}
    if isinstance(value, set):
        return {'$set': nested(value)}
    if isinstance(value, dict):
        return {'$dict': [[encode(k, handle, depth + 1), encode(v, handle, depth + 1)] for k, v in value.items()]}
    if isinstance(value, (bytes, bytearray)):
        return {'$bytes' if isinstance(value, bytes) else '$bytearray': base64.b64encode(value).decode()}
    if isinstance(value, complex):
        return {'$complex': [value.real, value.imag]}
    if isinstance(value, range):
        return {'$range': [value.start, value.stop, value.step]}
    if isinstance(value, type) and BUILTIN_TYPES.get(value.__name__) is value:
        return {'$type': value.__name__}
    return handle(value)


# Built-in types travel by name (a test may pass `int` to a function that filters by type).
BUILTIN_TYPES = {t.__name__: t for t in (int, float, complex, str, bytes, bytearray, bool, list, tuple, dict, set, frozenset, range, type(None))}

TAGS = {
    '$type': lambda name, d: BUILTIN_TYPES[name],
    '$tuple': lambda items, d: tuple(d(i) for i in items),
    '$set': lambda items, d: {d(i) for i in items},
    '$frozenset': lambda items, d: frozenset(d(i) for i in items),
    '$dict': lambda pairs, d: {d(k): d(v) for k, v in pairs},
    '$bytes': lambda text, d: base64.b64decode(text, validate=True),
    '$bytearray': lambda text, d: bytearray(base64.b64decode(text, validate=True)),
    '$complex': lambda parts, d: complex(float(parts[0]), float(parts[1])),
    '$range': lambda parts, d: range(int(parts[0]), int(parts[1]), int(parts[2])),
}


def decode(data, resolve):
    """Data from the wire back to values; {"$ref": n} goes through resolve(data)."""
    def d(item):
        if item is None or type(item) in (bool, int, float, str):
            return item
        if type(item) is list:
            return [d(i) for i in item]
        if type(item) is dict and len(item) >= 1:
            if '$ref' in item:
                return resolve(item)
            (tag, body), = item.items()
            if tag in TAGS:
                return TAGS[tag](body, d)
        raise ValueError(f'not a value: {str(item)[:80]}')
    return d(data)


def send(fd, message):
    data = (json.dumps(message, separators=(',', ':')) + '\n').encode()
    while data:
        data = data[os.write(fd, data):]


class LineReader:
    """Reads JSON lines from a pipe, each within a deadline (monotonic seconds; None: no limit)."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = bytearray()
        self.eof = False

    def line(self, deadline, side=None):
        """The next message (a dict), None when the deadline passed; raises EOFError, ValueError.
        side: (fd, read) of another pipe to keep reading meanwhile; read() returns False at its end."""
        while b'\n' not in self.buffer:
            if self.eof:
                raise EOFError
            if len(self.buffer) > LINE_CAP:
                raise ValueError('a message larger than the cap')
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = select.select([self.fd] + ([side[0]] if side else []), [], [], timeout)[0]
            if not ready:
                return None
            if side and side[0] in ready and not side[1]():
                side = None
            if self.fd not in ready:
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.eof = True
            self.buffer += chunk
        line, _, rest = self.buffer.partition(b'\n')
        self.buffer = bytearray(rest)
        message = json.loads(line.decode('utf-8'))
        if not isinstance(message, dict):
            raise ValueError('a message that is not an object')
        return message


# ---- The runner's side: the solution as seen from the tests ----

class TestTimeout(BaseException):
    """The test's time is up (a BaseException: the tests' own `except Exception` cannot swallow it)."""


class SolutionStopped(BaseException):
    """The solution's side ended, stopped answering, answered garbage, or exited while tested."""


class Link:
    """The runner's end of the pipes to the solution server: one request, one answer."""

    def __init__(self, read_fd, write_fd):
        self.reader = LineReader(read_fd)
        self.write_fd = write_fd
        self.next_id = 0
        self.deadline = None
        self.printed = ''
        self.broken = None   # why the server can no longer be used, once it cannot
        self.missing = None  # the server found no solution file: why

    def request(self, message):
        if self.broken:
            raise SolutionStopped(self.broken)
        self.next_id += 1
        message['id'] = self.next_id
        message['limit_ms'] = max(1, int((self.deadline - time.monotonic()) * 1000))
        try:
            send(self.write_fd, message)
            while True:
                answer = self.reader.line(self.deadline + GRACE_S)
                if answer is None:
                    self.broken = 'the solution stopped answering'
                    raise SolutionStopped(self.broken)
                if answer.get('id') == self.next_id:
                    break
        except (OSError, EOFError):
            self.broken = 'the solution\'s process ended'
            raise SolutionStopped(self.broken) from None
        except ValueError:
            self.broken = 'the solution\'s side sent a garbled answer'
            raise SolutionStopped(self.broken) from None
        if isinstance(answer.get('printed'), str):
            self.printed = answer['printed'][:OUTPUT_CAP]
        return answer

    def value(self, message):
        """Sends a request whose answer is a value; raises what the solution raised."""
        answer = self.request(message)
        if 'value' in answer:
            try:
                return decode(answer['value'], lambda ref: Remote(self, ref))
            except (ValueError, TypeError, KeyError, IndexError, RecursionError):
                raise SolutionStopped('the solution\'s side sent a garbled answer') from None
        if answer.get('timeout'):
            raise TestTimeout()
        if isinstance(answer.get('raised'), dict):
            raise remote_exception(answer['raised'])
        raise SolutionStopped(str(answer.get('ended') or 'the solution\'s side sent a garbled answer')[:200])

    def data(self, value):
        def handle(v):
            if isinstance(v, Remote):
                return {'$ref': object.__getattribute__(v, '_ref')['$ref']}
            raise TypeError(f'the test passes a {type(v).__name__} to the solution, which gradebox sends only as data')
        return encode(value, handle)


class RemoteRaised(Exception):
    """An exception the solution raised that is not a built-in one (or could not be rebuilt)."""


def remote_exception(raised):
    """What the solution raised, as the tests can catch it: the built-in class of that name (so a
    test expecting ValueError sees one), carrying `remote` for the feedback."""
    name = str(raised.get('type', 'Exception'))[:100]
    message = str(raised.get('message', ''))[:500]
    if name in ('SystemExit', 'KeyboardInterrupt', 'GeneratorExit'):
        error = SolutionStopped('the solution called exit() while being tested' if name == 'SystemExit' else name)
    else:
        cls = getattr(builtins, name, None)
        error = None
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                error = cls(message)
            except Exception:  # noqa: BLE001 -- a class that wants other arguments
                error = None
        error = error or RemoteRaised(message)
    error.remote = raised
    return error


class Remote:
    """A handle to an object that lives in the solution's sandbox (see Trust at the top)."""
    __slots__ = ('_link', '_ref')

    def __init__(self, link, ref):
        object.__setattr__(self, '_link', link)
        object.__setattr__(self, '_ref', {'$ref': ref['$ref'], 'type': str(ref.get('type', 'object'))[:100]})

    def _ask(self, op, **fields):
        link = object.__getattribute__(self, '_link')
        ref = object.__getattribute__(self, '_ref')
        return link.value({'op': op, 'target': ref['$ref'], **fields})

    def __call__(self, *args, **kwargs):
        link = object.__getattribute__(self, '_link')
        return self._ask('call', args=link.data(list(args)), kwargs=link.data(kwargs))

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self._ask('getattr', name=name)

    def __setattr__(self, name, value):
        self._ask('setattr', name=name, value=object.__getattribute__(self, '_link').data(value))

    def __iter__(self):
        return iter(self._ask('list'))

    def __len__(self):
        return self._ask('len')

    def __getitem__(self, key):
        return self._ask('getitem', key=object.__getattribute__(self, '_link').data(key))

    def __str__(self):
        return self._ask('str')

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_ref')['type']} object of the solution>"

    def __eq__(self, other):
        return isinstance(other, Remote) and object.__getattribute__(other, '_ref')['$ref'] == object.__getattribute__(self, '_ref')['$ref']

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(object.__getattribute__(self, '_ref')['$ref'])

    def __bool__(self):
        kind = object.__getattribute__(self, '_ref')['type']
        raise TypeError(f'the solution returned a {kind} object where the test needs a value')


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


def solution_names(tree, candidate, given):
    """The names the tests take from the solution, and the standard modules they use without
    importing them (imported here: a test means the real one). With --solution-names, exactly
    those (a task's function may be named like a built-in, such as sum); else every name the tests
    read but neither define nor find among the built-ins, which the solution must never replace."""
    defined = names([tree], ast.Store) | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {a.asname or a.name.split('.')[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    defined |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.posonlyargs + n.args + n.kwonlyargs}
    read = {n for n in names([tree], ast.Load) if n not in defined}
    modules = {n for n in read if n in sys.stdlib_module_names and not hasattr(builtins, n)}
    wanted = set(given) if given is not None else {n for n in read - modules if not hasattr(builtins, n)}
    return sorted(wanted | ({candidate} if candidate else set())), sorted(modules - wanted)


def load_units(tests_path, check_name):
    """The tests file compiled, its tests as (name, code) pairs and the names it may need from the
    solution; compiled here from the instructor's file."""
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
        named = [(f'1: all tests{"" if check is None else f" of {check_name}()"}', body)]
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


# ---- Running the tests ----

def failure_text(error, tests_path, limit_s):
    """What a student sees of a failed test."""
    if isinstance(error, TestTimeout):
        return f'time limit ({limit_s:g} s per test)'
    if isinstance(error, SolutionStopped):
        return str(error)
    remote = getattr(error, 'remote', None)
    if isinstance(remote, dict):
        name = str(remote.get('type', 'Exception'))[:100]
        if name == 'MemoryError':
            return 'memory limit (MemoryError)'
        message = str(remote.get('message', '')).splitlines()[0][:200] if remote.get('message') else ''
        where = f" ({str(remote['where'])[:100]})" if remote.get('where') else ''
        return f'{name}{": " + message if message else ""}{where}'
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if isinstance(error, AssertionError) and tb is not None and tb.tb_frame.f_code.co_filename == tests_path:
        return 'wrong answer'
    message = str(error).splitlines()[0][:200] if str(error) else ''
    return f'{type(error).__name__}{": " + message if message else ""}'


def run_one(args, link, wanted, module_code, code):
    """One test: a fresh solution process, the tests file, then the test's statements."""
    wanted, modules = wanted
    answer = link.request({'op': 'start', 'names': wanted})
    if answer.get('missing'):
        link.missing = str(answer['missing'])[:300]
        raise SolutionStopped(link.missing)
    if answer.get('timeout'):
        raise TestTimeout()
    if isinstance(answer.get('raised'), dict):
        raise remote_exception(answer['raised'])
    if 'names' not in answer:
        raise SolutionStopped(str(answer.get('ended') or 'the solution\'s side sent a garbled answer')[:200])
    found = answer.get('names') if isinstance(answer.get('names'), dict) else {}
    namespace = {'__name__': '__gradebox_tests__', '__builtins__': builtins}
    namespace.update({name: importlib.import_module(name) for name in modules})
    for name, data in found.items():
        if name in wanted:
            try:
                namespace[name] = decode(data, lambda ref: Remote(link, ref))
            except (ValueError, TypeError, KeyError, RecursionError):
                raise SolutionStopped('the solution\'s side sent a garbled answer') from None
    if args.candidate is not None and args.candidate not in namespace:
        raise SolutionStopped(f'{str(answer.get("solution", "the solution"))[:100]} does not define the function {args.candidate}()')
    candidate = namespace.get(args.candidate) if args.candidate else None
    if module_code is not None:
        exec(module_code, namespace)
    exec(code, namespace)
    if args.candidate is not None:
        namespace[UNIT_FUNCTION](candidate)


def run_all(args, link, wanted, module_code, units):
    """[(passed, text)] per test; when the time for all tests is spent, the rest are not run."""
    results = []
    started, limit_s = time.monotonic(), args.time_limit_ms / 1000
    for _, code in units:
        if (time.monotonic() - started) * 1000 >= args.budget_ms:
            results.append((False, f'not run: earlier tests used up the time for all tests ({args.budget_ms / 1000:g} s)'))
            continue
        link.deadline, link.printed = time.monotonic() + limit_s, ''
        try:
            run_one(args, link, wanted, module_code, code)
            results.append((True, ''))
        except BaseException as error:  # noqa: BLE001 -- whatever the test raised is its result
            text = failure_text(error, args.tests, limit_s)
            if link.printed:
                text += '\n--- printed by the solution (cut at 1 KiB) ---\n' + link.printed
            results.append((False, text))
    return results


def write_results(path, tests, output):
    """The runner's own sandbox holds no code of the student's: a plain write by rename."""
    temp = f'{path}.{os.getpid()}.tmp'
    with open(temp, 'w', encoding='utf-8') as f:
        json.dump({'output': output, 'tests': tests}, f, indent=1)
    os.replace(temp, path)


def grade(args, link):
    module_code, units = load_units(args.tests, args.check)
    with open(args.tests, encoding='utf-8') as f:
        given = None if args.solution_names is None else [n for n in args.solution_names.split(',') if n]
        wanted = solution_names(ast.parse(f.read()), args.candidate, given)
    results = run_all(args, link, wanted, module_code, units)
    tests = [{'name': name, 'number': str(n), 'score': int(ok), 'max_score': 1, 'status': 'passed' if ok else 'failed',
              'output': text, 'visibility': 'visible'} for n, ((name, _), (ok, text)) in enumerate(zip(units, results), 1)]
    passed = sum(ok for ok, _ in results)
    return tests, f'{passed} of {len(tests)} tests passed.' + (f'\n{link.missing}' if link.missing else '')


def runner_main(args):
    # The pipes to the solution move off fds 0 and 1: what the tests print goes to stderr, never
    # into the conversation.
    link = Link(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    tests, summary = grade(args, link)
    write_results(args.results, tests, summary)
    return 0


# ---- The solution server (in the submission's sandbox) ----

def find_solution(preferred):
    """solution.py, or else the one other .py file of the submission (students name files freely)."""
    if os.path.isfile(preferred):
        return preferred, None
    own = os.path.basename(sys.argv[0])
    others = sorted(n for n in os.listdir('.') if n.endswith('.py') and n != own and os.path.isfile(n))
    if len(others) == 1:
        return others[0], None
    return None, f'No {preferred} found: submit one Python file named {preferred} that defines the function(s).'


def raised_info(error, solution_path):
    where = ''
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == solution_path:
            where = f'{solution_path} line {tb.tb_lineno}'
        tb = tb.tb_next
    if isinstance(error, SyntaxError) and error.filename == solution_path:
        where = f'{solution_path} line {error.lineno}'
    return {'type': type(error).__name__, 'message': str(error)[:500], 'where': where}


class TestProcess:
    """In the test process: the solution's objects, and the requests on them."""

    def __init__(self, solution_path):
        self.path = solution_path
        self.refs = {}
        self.namespace = None

    def handle(self, value):
        ref = len(self.refs) + 1
        self.refs[ref] = value
        kind = type(value)
        return {'$ref': ref, 'type': getattr(kind, '__name__', 'object')}

    def resolve(self, data):
        return self.refs[int(data['$ref'])]

    def load(self, wanted):
        module = types.ModuleType('solution')
        module.__file__ = self.path
        sys.modules['solution'] = module
        self.namespace = module.__dict__
        with open(self.path, encoding='utf-8', errors='replace') as f:
            exec(compile(f.read(), self.path, 'exec'), self.namespace)
        found = {}
        for name in wanted:
            if name in self.namespace:
                value = self.namespace[name]
                found[name] = self.handle(value) if callable(value) else encode(value, self.handle)
        return {'names': found}

    def answer(self, request):
        op = request.get('op')
        if op == 'start':
            return self.load([str(n) for n in request.get('names', [])])
        target = self.resolve({'$ref': request.get('target')})
        arg = lambda key: decode(request.get(key), self.resolve)  # noqa: E731
        if op == 'call':
            result = target(*arg('args'), **arg('kwargs'))
        elif op == 'getattr':
            result = getattr(target, str(request.get('name')))
        elif op == 'setattr':
            setattr(target, str(request.get('name')), arg('value'))
            result = None
        elif op == 'list':
            result = list(target)
        elif op == 'len':
            result = len(target)
        elif op == 'getitem':
            result = target[arg('key')]
        elif op == 'str':
            result = str(target)
        else:
            raise ValueError(f'unknown request {op!r}')
        return {'value': encode(result, self.handle)}


def test_process_main(solution_path, memory_mb, requests_r, answers_w, output_w):
    """The test process (never returns): the solution runs here, and only here."""
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(output_w, 1)
        os.dup2(output_w, 2)
        os.setpgid(0, 0)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory_mb:
            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sys.path.insert(0, os.getcwd())  # -I left it out; the submission may import its own modules
        sys.argv = [solution_path]
        process, reader = TestProcess(solution_path), LineReader(requests_r)
        while True:
            request = reader.line(None)
            try:
                answer = process.answer(request)
            except BaseException as error:  # noqa: BLE001 -- everything the solution raises is an answer
                answer = {'raised': raised_info(error, solution_path)}
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                send(answers_w, {'id': request.get('id'), **answer})
            except (TypeError, ValueError, RecursionError) as error:
                send(answers_w, {'id': request.get('id'), 'raised': raised_info(error, solution_path)})
    finally:
        os._exit(0)


def ended_text(status):
    if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
        return f'the test process was killed by {signal.Signals(os.WTERMSIG(status)).name}'
    return 'the test ended without a result (did the solution call os._exit?)'


class Server:
    """The solution server: one test process at a time, a deadline on every request."""

    def __init__(self, args, solution_path, problem):
        self.args, self.path, self.problem = args, solution_path, problem
        self.child = None

    def stop_child(self):
        """Kills the test process (and all it started); its wait status, or None without one."""
        if self.child is None:
            return None
        pid, fds = self.child
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = os.waitpid(pid, 0)[1]
        for fd in fds:
            os.close(fd)
        self.child = None
        return status

    def start_child(self):
        self.stop_child()
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        output_r, output_w = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            for fd in (requests_w, answers_r, output_r, self.from_runner, self.to_runner):
                os.close(fd)
            test_process_main(self.path, self.args.memory_mb, requests_r, answers_w, output_w)
        for fd in (requests_r, answers_w, output_w):
            os.close(fd)
        os.set_blocking(output_r, False)
        self.child = (pid, (requests_w, answers_r, output_r))
        self.answers = LineReader(answers_r)
        self.printed = bytearray()

    def drain_output(self):
        """Reads what the test process printed (keeping the first OUTPUT_CAP bytes); False at its end."""
        output_r = self.child[1][2]
        while True:
            try:
                chunk = os.read(output_r, 65536)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            self.printed += chunk[:max(0, OUTPUT_CAP - len(self.printed))]

    def forward(self, request):
        """The test process's answer, or why there is none."""
        requests_w, answers_r, output_r = self.child[1]
        deadline = time.monotonic() + max(1, int(request.get('limit_ms', 1000))) / 1000
        try:
            send(requests_w, request)
            answer = self.answers.line(deadline, (output_r, self.drain_output))
            self.drain_output()
            if answer is not None:
                return answer
            self.stop_child()
            return {'timeout': True}
        except (OSError, EOFError, ValueError):
            self.drain_output()
            return {'ended': ended_text(self.stop_child())}

    def serve(self):
        self.from_runner, self.to_runner = os.dup(0), os.dup(1)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(2, 1)
        reader = LineReader(self.from_runner)
        while True:
            try:
                request = reader.line(None)
            except (EOFError, ValueError):
                self.stop_child()
                return 0
            if self.problem:
                answer = {'missing': self.problem}
            elif request.get('op') == 'start':
                self.start_child()
                answer = {**self.forward(request), 'solution': self.path}
            elif self.child is None:
                answer = {'ended': 'the test process is gone (a time limit or a crash ended it)'}
            else:
                answer = self.forward(request)
            if self.child is not None:
                self.drain_output()
            answer['printed'] = getattr(self, 'printed', b'').decode('utf-8', 'replace')
            answer['id'] = request.get('id')
            send(self.to_runner, answer)


def serve_main(args):
    solution_path, problem = find_solution(args.solution)
    return Server(args, solution_path, problem).serve()


# ---- Options ----

# The options (see the top of this file) and their defaults. Parsed by hand: argparse costs more
# start-up time than the tests of a typical task, and every submission pays it.
OPTIONS = {
    '--tests': (str, None), '--check': (str, None), '--candidate': (str, None),
    '--solution': (str, 'solution.py'), '--results': (str, 'results.json'),
    '--time-limit-ms': (int, 3000), '--budget-ms': (int, 10000), '--memory-mb': (int, 0),
    '--solution-names': (str, None),
}


def parse_args(argv):
    values = {flag[2:].replace('-', '_'): default for flag, (_, default) in OPTIONS.items()}
    values['serve'] = '--serve' in argv
    words = iter(a for a in argv if a != '--serve')
    for flag in words:
        value = next(words, None)
        if flag not in OPTIONS or value is None:
            raise HarnessError(f'bad option {flag!r}; usage: see the top of run_tests.py')
        try:
            values[flag[2:].replace('-', '_')] = OPTIONS[flag][0](value)
        except ValueError:
            raise HarnessError(f'{flag} needs a whole number, got {value!r}') from None
    if not values['serve'] and values['tests'] is None:
        raise HarnessError('missing --tests FILE')
    if (values['check'] is None) != (values['candidate'] is None):
        raise HarnessError('--check and --candidate go together')
    return types.SimpleNamespace(**values)


def main(argv):
    try:
        args = parse_args(argv)
        return serve_main(args) if args.serve else runner_main(args)
    except HarnessError as e:
        print(f'harness error: {e}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
