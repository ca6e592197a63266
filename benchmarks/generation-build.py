#!/usr/bin/env python3
# A model generation built while serving, measured side by side with the same server idle: loads the Home Depot
# catalogue (../shared/data/homedepot, 54,667 titles) into collection "hd" (minilm-int8, HNSW), times 300 sequential
# hybrid searches idle, then starts a new generation (minilm-int8 again: every record re-embedded) and times the same
# searches, back to back, while it builds; then builds once more with no searches. Prints the build rates (records/s)
# and search p50/p99 idle vs during the build.
#   dotnet build -c Release && python3 benchmarks/generation-build.py
import csv, json, os, socket, subprocess, sys, tempfile, time, urllib.request

root = os.path.dirname(os.path.realpath(__file__))
data = os.path.join(root, '..', '..', 'shared', 'data', 'homedepot')
dll = os.path.join(root, '..', 'src', 'SemanticMatch.Cli', 'bin', 'Release', 'net10.0', 'semmatch.dll')
sock = socket.socket(); sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]; sock.close()
url = 'http://127.0.0.1:%d' % port
work = tempfile.mkdtemp(prefix='semmatch-generation-bench-')
server = subprocess.Popen(['dotnet', dll, 'serve', '--data', work, '--urls', url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def call(method, path, body=None):
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                 headers={'Content-Type': 'application/json'})
    return json.loads(urllib.request.urlopen(req, timeout=600).read() or b'null')


def searches(queries):
    took = []
    for q in queries:
        t = time.perf_counter()
        call('POST', '/v1/collections/hd/search', {'query': q, 'top': 10, 'method': 'hybrid'})
        took.append((time.perf_counter() - t) * 1000)
    return took


def percentiles(took):
    took = sorted(took)
    return took[len(took) // 2], took[max(0, int(len(took) * 0.99) - 1)]


try:
    for line in server.stdout:
        if 'listening' in line.lower():
            break
    call('PUT', '/v1/collections/hd', {'model': 'minilm-int8', 'fields': ['title'], 'vectorIndex': 'hnsw'})
    rows = list(csv.DictReader(open(os.path.join(data, 'products.csv'), encoding='utf-8')))
    for i in range(0, len(rows), 1000):
        call('POST', '/v1/collections/hd/records', [{'id': r['product_id'], 'title': r['title']} for r in rows[i:i + 1000]])
    queries = sorted({r['query'] for r in csv.DictReader(open(os.path.join(data, 'dev.csv'), encoding='utf-8'))})[:300]
    searches(queries[:30])  # warm-up
    idle = percentiles(searches(queries))
    started = time.perf_counter()
    call('POST', '/v1/collections/hd/generations', {'model': 'minilm-int8'})
    during, rounds = [], 0
    while True:
        c = call('GET', '/v1/collections/hd')
        if c['generation'] == 2 and 'building' not in c:
            break
        during += searches(queries[rounds * 20 % 300:][:20]); rounds += 1
    built = time.perf_counter() - started
    p50, p99 = percentiles(during) if during else (float('nan'), float('nan'))
    print('records %d, build %.1f s, %.0f records/s while serving' % (len(rows), built, len(rows) / built))
    # The same build again with no searches: what the searches cost the build.
    started = time.perf_counter()
    call('POST', '/v1/collections/hd/generations', {'model': 'minilm-int8'})
    while not (lambda c: c['generation'] == 3 and 'building' not in c)(call('GET', '/v1/collections/hd')):
        time.sleep(0.5)
    alone = time.perf_counter() - started
    print('records %d, build %.1f s, %.0f records/s with no searches' % (len(rows), alone, len(rows) / alone))
    print('%d searches during the build' % len(during))
    print('search p50 idle %.1f ms, during %.1f ms (x%.2f); p99 idle %.1f ms, during %.1f ms (x%.2f)' %
          (idle[0], p50, p50 / idle[0], idle[1], p99, p99 / idle[1]))
finally:
    server.terminate(); server.wait(timeout=60)
