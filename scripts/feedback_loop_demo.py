#!/usr/bin/env python3
"""The feedback loop end to end, on the bundled demo catalogue (run from the project root after a Release build):

1. start `semmatch serve` on a new data directory (it loads the demo catalogue as collection `demo`);
2. script shoppers: for each query of the demo judgments, search, then click the shown products the judgments rate
   >= 2 and buy those rated 3 (POST /v1/collections/demo/feedback, sessions hashed by the server);
3. `semmatch feedback export` -> judgments CSV;
4. `semmatch train --train <export> --base minilm` (dev: the hand-made demo judgments);
5. create collection `demo-ft` served by the new model, load the catalogue into it, and compare NDCG@10 of both
   collections' hybrid rankings on the judged queries.
Usage: python3 scripts/feedback_loop_demo.py WORK_DIR
"""
import csv, json, math, os, socket, subprocess, sys, time, urllib.request

work = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'feedback-loop-demo')
os.makedirs(work, exist_ok=True)
dll = os.path.abspath('src/SemanticMatch.Cli/bin/Release/net10.0/semmatch.dll')
train_dll = os.path.abspath('src/SemanticMatch.Cli.Train/bin/Release/net10.0/semmatch-train.dll')  # what `semmatch train` runs
demo = os.path.join(os.path.dirname(dll), 'Demo')
data = os.path.join(work, 'data')

def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close(); return port

url = 'http://127.0.0.1:%d' % free_port()
server = subprocess.Popen(['dotnet', dll, 'serve', '--data', data, '--urls', url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
while 'listening on' not in (server.stdout.readline() or 'listening on'):
    pass

def call(method, path, body=None, ndjson=None):
    data_ = ndjson.encode() if ndjson is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url + path, data=data_, method=method)
    request.add_header('Content-Type', 'application/x-ndjson' if ndjson is not None else 'application/json')
    with urllib.request.urlopen(request, timeout=600) as response:
        text = response.read()
        return json.loads(text) if text else None

judged = {}
for row in csv.DictReader(open(os.path.join(demo, 'judgments.csv'))):
    judged.setdefault(row['query'], {})[row['product_id']] = float(row['relevance'])

def ndcg10(collection):
    total = 0.0
    for query, labels in judged.items():
        hits = call('POST', '/v1/collections/%s/search' % collection, {'query': query, 'top': 10})['hits']
        gains = [2 ** labels.get(h['id'], 0) - 1 for h in hits]
        ideal = sorted((2 ** r - 1 for r in labels.values()), reverse=True)[:10]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        total += dcg / idcg if idcg else 0
    return total / len(judged)

try:
    events = 0
    for session, (query, labels) in enumerate(judged.items()):
        shown = [h['id'] for h in call('POST', '/v1/collections/demo/search', {'query': query, 'top': 10})['hits']]
        for visit in range(2):  # two shoppers a query
            clicked = [i for i in shown if labels.get(i, 0) >= 2]
            bought = [i for i in shown if labels.get(i, 0) >= 3][:1]
            call('POST', '/v1/collections/demo/feedback', {'query': query, 'shown': shown, 'clicked': clicked, 'purchased': bought,
                                                           'session': 'shopper-%d-%d' % (session, visit)})
            events += 1
    print('logged %d feedback events for %d queries' % (events, len(judged)))

    exported = os.path.join(work, 'feedback-judgments.csv')
    subprocess.run(['dotnet', dll, 'feedback', 'export', '--data', data, '--collection', 'demo', '--out', exported, '--click-model', 'naive'], check=True)
    model = os.path.join(work, 'minilm-feedback')
    subprocess.run(['dotnet', train_dll, '--train', exported, '--dev', os.path.join(demo, 'judgments.csv'),
                    '--products', os.path.join(demo, 'products.csv'), '--base', 'minilm', '--objective', 'cosent',
                    '--epochs', '2', '--lr', '3e-5', '--out', model], check=True, stdout=subprocess.DEVNULL)

    call('PUT', '/v1/collections/demo-ft', {'model': model, 'fields': ['title']})
    lines = '\n'.join(json.dumps({'id': r['product_id'], 'title': r['title']}) for r in csv.DictReader(open(os.path.join(demo, 'products.csv'))))
    print('loaded', call('POST', '/v1/collections/demo-ft/records', ndjson=lines)['upserted'], 'records into demo-ft')
    print('hybrid NDCG@10 on the %d judged queries: base minilm %.4f, trained on the feedback %.4f' % (len(judged), ndcg10('demo'), ndcg10('demo-ft')))
finally:
    server.terminate()
    server.wait()
