/**
 * Real error messages grouped by kind: each group is one kind of error seen twice or more with
 * different details (from the τ-bench airline and coding-agent data sets, ReAct question-answering
 * logs, and the messages Python, Node, shells, compilers, test runners and HTTP APIs print).
 */
export const errorKinds: Record<string, readonly string[]> = {
  'tau payment mismatch': [
    'Error: payment amount does not add up, total price is 305, but paid 255',
    'Error: payment amount does not add up, total price is 1166, but paid 583',
  ],
  'tau flight unavailable': [
    'Error: flight HAT030 not available on date 2024-05-13',
    'Error: flight HAT271 not available on date 2024-05-20',
  ],
  'tau not enough seats': [
    'Error: not enough seats on flight HAT290',
    'Error: not enough seats on flight HAT001',
  ],
  'tau gift card': ['Error: gift card balance is not enough', 'Error: gift card balance is not enough'],
  'tau certificate': ['Error: certificate balance is not enough', 'Error: certificate balance is not enough'],
  'react could not find': [
    "Could not find Nick Park. Similar: ['Nick Park', 'Aardman Animations', 'Wallace and Gromit'].",
    "Could not find Wallace and Gromit Curse of the Were-Rabbit. Similar: ['Wallace & Gromit: The Curse of the Were-Rabbit', 'Nick Park'].",
    "Could not find [government's chief scientific adviser]. Similar: ['Chief Scientific Adviser to the UK Government', 'Government Office for Science'].",
  ],
  'python module missing': [
    '<returncode>1</returncode>\n<output>\nTraceback (most recent call last):\n  File "<string>", line 1, in <module>\nModuleNotFoundError: No module named \'numpy\'\n</output>',
    'Traceback (most recent call last):\n  File "/testbed/reproduce.py", line 3, in <module>\n    import astropy\nModuleNotFoundError: No module named \'astropy\'',
  ],
  'python unicode decode': [
    "<returncode>1</returncode>\n<output>\nTraceback (most recent call last):\n  File \"apply_fix.py\", line 5, in <module>\n    lines = f.readlines()\nUnicodeDecodeError: 'ascii' codec can't decode byte 0xe2 in position 811: ordinal not in range(128)\n</output>",
    "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 12: ordinal not in range(128)",
  ],
  'sqlite no such table': [
    '<returncode>1</returncode>\n<output>\nTraceback (most recent call last):\n  File "/testbed/django/db/backends/utils.py", line 85, in _execute\n    return self.cursor.execute(sql, params)\nsqlite3.OperationalError: no such table: __main___book\n</output>',
    'Traceback (most recent call last):\n  File "/testbed/django/db/backends/sqlite3/base.py", line 334, in execute\nsqlite3.OperationalError: no such table: auth_user',
  ],
  'django improperly configured': [
    'django.core.exceptions.ImproperlyConfigured: Requested setting INSTALLED_APPS, but settings are not configured. You must either define the environment variable DJANGO_SETTINGS_MODULE or call settings.configure() before accessing settings.',
    'django.core.exceptions.ImproperlyConfigured: Requested setting USE_TZ, but settings are not configured. You must either define the environment variable DJANGO_SETTINGS_MODULE or call settings.configure() before accessing settings.',
  ],
  'python name error': [
    "NameError: name 'Symbol' is not defined",
    'Traceback (most recent call last):\n  File "reproduce_issue.py", line 12, in <module>\n    print(foo)\nNameError: name \'foo\' is not defined',
  ],
  'python indentation': [
    '  File "reproduce.py", line 14\n    return x\n    ^\nIndentationError: unexpected indent',
    '  File "/testbed/fix.py", line 3\n  print(a)\n  ^\nIndentationError: unexpected indent',
  ],
  'python file not found': [
    "FileNotFoundError: [Errno 2] No such file or directory: 'test_output.txt'",
    "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/tmpa8f3kz/data.csv'",
  ],
  'python assertion': [
    'AssertionError: assert 3 == 4',
    'Traceback (most recent call last):\n  File "test_fix.py", line 20, in <module>\n    assert result == expected\nAssertionError: assert 10 == 12',
  ],
  'node cannot find module': [
    "Error: Cannot find module 'express'\nRequire stack:\n- /srv/app/index.js",
    "Error: Cannot find module '@scope/pkg'\nRequire stack:\n- /home/u/proj/src/main.js",
    // Printed to a terminal: its colour codes read as `\x1b[<id>`, and matched no plain one.
    "\u001b[31mError: Cannot find module 'left-pad'\u001b[0m\nRequire stack:\n- /app/index.js",
  ],
  'node undefined property': [
    "TypeError: Cannot read properties of undefined (reading 'map')\n    at render (/app/src/list.js:12:18)",
    "TypeError: Cannot read properties of undefined (reading 'length')\n    at Object.<anonymous> (/app/index.js:3:9)",
  ],
  'node connection refused': [
    'Error: connect ECONNREFUSED 127.0.0.1:5432',
    'Error: connect ECONNREFUSED 10.0.0.12:6379',
    'Error: connect ECONNREFUSED ::1:5432',
  ],
  'node address in use': [
    'Error: listen EADDRINUSE: address already in use :::3000\n    at Server.setupListenHandle [as _listen2] (node:net:1897:16)',
    'Error: listen EADDRINUSE: address already in use 127.0.0.1:8080',
    'Error: listen EADDRINUSE: address already in use 0.0.0.0:80',
  ],
  'node not defined': [
    'ReferenceError: foo is not defined\n    at Object.<anonymous> (/app/index.js:3:1)',
    'ReferenceError: fetchUser is not defined\n    at loadProfile (/home/u/proj/src/profile.js:12:5)',
  ],
  'node not a function': [
    'TypeError: client.query is not a function\n    at getUsers (/app/src/db.js:8:23)',
    'TypeError: res.json is not a function\n    at handler (/srv/api/routes/users.js:14:9)',
  ],
  'shell command not found': [
    '<returncode>127</returncode>\n<output>\nbash: line 1: pytest: command not found\n</output>',
    'bash: line 3: tox: command not found',
  ],
  'shell no such file': [
    "<returncode>1</returncode>\n<output>\nrm: cannot remove 'reproduce_issue.py': No such file or directory\n</output>",
    "rm: cannot remove '/tmp/debug_cls.txt': No such file or directory",
  ],
  'python module not installed': [
    '<returncode>1</returncode>\n<output>\n/usr/bin/python3: No module named pytest\n</output>',
    '/opt/miniconda3/envs/testbed/bin/python: No module named hypothesis',
  ],
  'output too long': [
    '<returncode>1</returncode>\n<warning>\nThe output of your last command was too long.\nPlease try a different command that produces less output.\n</warning>',
    '<returncode>3</returncode>\n<warning>\nThe output of your last command was too long.\nPlease try a different command that produces less output.\n</warning>',
  ],
  'command timed out': [
    'The last command <command>python -m pytest tests/ -x</command> timed out and has been killed.',
    'The last command <command>./tests/runtests.py queries</command> timed out and has been killed.',
  ],
  'empty failing output': [
    '<returncode>1</returncode>\n<output>\n</output>',
    '<returncode>1</returncode>\n<output>\n\n</output>',
  ],
  'http json not found': [
    '{"error": {"code": 404, "message": "Repository octo/abc not found"}}',
    '{"error": {"code": 404, "message": "Repository torvalds/linux2 not found"}}',
  ],
  'urllib not found': [
    'Traceback (most recent call last):\n  File "/testbed/fetch.py", line 8, in <module>\n    urllib.request.urlopen(url)\n  File "/usr/lib/python3.11/urllib/request.py", line 643, in http_error_default\n    raise HTTPError(req.full_url, code, msg, hdrs, fp)\nurllib.error.HTTPError: HTTP Error 404: Not Found',
    'urllib.error.HTTPError: HTTP Error 404: Not Found',
  ],
  'urllib not implemented': [
    'Traceback (most recent call last):\n  File "/testbed/probe.py", line 21, in <module>\n    urlopen(Request(url, method="PATCH"))\nurllib.error.HTTPError: HTTP Error 501: Not Implemented',
    'urllib.error.HTTPError: HTTP Error 501: Not Implemented',
  ],
  'requests not found': [
    'requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api.example.com/a',
    'Traceback (most recent call last):\n  File "/home/u/sync.py", line 30, in <module>\n    r.raise_for_status()\nrequests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api.github.com/repos/octo/missing',
  ],
  'requests not acceptable': [
    'requests.exceptions.HTTPError: 406 Client Error: Not Acceptable for url: https://api.example.com/a',
    'requests.exceptions.HTTPError: 406 Client Error: Not Acceptable for url: https://data.example.org/v2/export?fmt=xml',
  ],
  'http json rate limit': [
    'HTTP 429: {"message": "API rate limit exceeded for 140.82.112.3.", "documentation_url": "https://docs.github.com/rest"}',
    'HTTP 429: {"message": "API rate limit exceeded for 20.1.9.77.", "documentation_url": "https://docs.github.com/rest"}',
  ],
  'npm package not found': [
    "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/lodashh - Not found\nnpm error 404\nnpm error 404  'lodashh@*' is not in this registry.",
    "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@scope%2fmissing-pkg - Not found\nnpm error 404\nnpm error 404  '@scope/missing-pkg@^2.1.0' is not in this registry.",
  ],
  'npm forbidden': [
    'npm error code E403\nnpm error 403 403 Forbidden - GET https://registry.npmjs.org/left-pad - Forbidden',
    'npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/@acme%2fui - You do not have permission to publish "@acme/ui".',
  ],
  'pip no matching version': [
    'ERROR: Could not find a version that satisfies the requirement torch==1.0.0 (from versions: none)\nERROR: No matching distribution found for torch==1.0.0',
    'ERROR: Could not find a version that satisfies the requirement numpy==9.9 (from versions: none)\nERROR: No matching distribution found for numpy==9.9',
    'ERROR: Could not find a version that satisfies the requirement requests[socks]>=99.0 (from versions: none)',
  ],
  'typescript not assignable': [
    "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
    "lib/util/b.ts(3,14): error TS2322: Type 'Foo' is not assignable to type 'Bar'.",
  ],
  'typescript argument type': [
    "src/a.ts(12,5): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.",
    "src/c.ts(40,1): error TS2345: Argument of type 'null' is not assignable to parameter of type 'User'.",
  ],
  'rust mismatched types': [
    'error[E0308]: mismatched types\n --> src/main.rs:4:18',
    'error[E0308]: mismatched types\n --> src/lib.rs:120:9',
  ],
  'pytest failed test': [
    'FAILED tests/test_requests.py::test_cookie_parsing - AssertionError: assert 1 == 2',
    'FAILED tests/unit/test_parse.py::test_dates[case-3] - AssertionError: assert 0 == 5',
  ],
  'jest expectation': [
    'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 401',
    'expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 4',
  ],
  'editor error label': [
    'ERROR:\nInvalid `view_range` parameter: [1, 500]. Its second element `500` should be smaller than the number of lines in the file: `120`.',
    'ERROR:\nInvalid `view_range` parameter: [10, 90]. Its second element `90` should be smaller than the number of lines in the file: `40`.',
  ],
  'format error': [
    'Please always provide EXACTLY ONE action in triple backticks, found 0 actions.',
    'Please always provide EXACTLY ONE action in triple backticks, found 2 actions.',
  ],
  'git pathspec': [
    "error: pathspec 'feature/x' did not match any file(s) known to git",
    "error: pathspec 'src/old.py' did not match any file(s) known to git",
  ],
  // Localized messages and non-ASCII paths (an audit found each split per user or merged).
  'python file missing, Windows user folders': [
    'FileNotFoundError: [Errno 2] No such file or directory: C:\\Users\\Ünïcode\\proj\\file.py',
    'FileNotFoundError: [Errno 2] No such file or directory: C:\\Users\\Jürgen\\proj\\main.py',
    'FileNotFoundError: [Errno 2] No such file or directory: C:\\Users\\anna\\proj\\file.py',
  ],
  'node file missing, Cyrillic folders': [
    'Error: ENOENT: no such file or directory, open /home/юзер/проект/config.json',
    'Error: ENOENT: no such file or directory, open /home/ivan/work/settings.json',
  ],
  'shell command missing, German': [
    'bash: kommando: Befehl nicht gefunden',
    'bash: frobnicate: Befehl nicht gefunden',
  ],
  'shell command missing, Russian': ['bash: kommando: команда не найдена', 'bash: gti: команда не найдена'],
  'shell command missing, French': [
    'bash: kommando : commande introuvable',
    'bash: gti : commande introuvable',
  ],
  'node module missing, French': [
    'Erreur : impossible de trouver le module « express »',
    'Erreur : impossible de trouver le module « lodash »',
  ],
  'file missing, German quotes': [
    'Fehler: Datei „übersetzung.po“ nicht gefunden',
    'Fehler: Datei „config.yaml“ nicht gefunden',
  ],
  'module missing, Russian quotes': ['Ошибка: модуль «flask» не найден', 'Ошибка: модуль «django» не найден'],
  'file unreadable, Russian, unquoted name': [
    'Ошибка: не удалось открыть файл отчёт_2024.txt',
    'Ошибка: не удалось открыть файл данные.txt',
  ],
  'connection timed out, German, after a progress line': [
    'Verbinde mit Datenbank auf Port 5432 …\nFehler: Zeitüberschreitung der Verbindung',
    'Verbinde mit Datenbank auf Port 6543 …\nFehler: Zeitüberschreitung der Verbindung',
  ],
  'access denied, German, after a progress line': [
    'Verbinde mit Datenbank auf Port 5432 …\nFehler: Zugriff verweigert für Benutzer „app“',
    'Verbinde mit Datenbank auf Port 5432 …\nFehler: Zugriff verweigert für Benutzer „root“',
  ],
  'timed out, Russian, after a progress line': [
    'Подключение к базе данных …\nОшибка: время ожидания истекло',
    'Подключение к базе данных на порту 5432 …\nОшибка: время ожидания истекло',
  ],
  'access denied, Russian, after a progress line': [
    'Подключение к базе данных …\nОшибка: доступ запрещён',
    'Подключение к базе данных на порту 6543 …\nОшибка: доступ запрещён',
  ],
  'size exceeded, German, typed composed or decomposed': [
    'Fehler: Größe überschritten in übersetzung.po',
    'Fehler: Größe überschritten in übersetzung.po'.normalize('NFD'),
  ],
};
