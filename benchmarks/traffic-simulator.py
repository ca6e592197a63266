#!/usr/bin/env python3
# The learning loop on simulated shoppers over Home Depot (../shared/data/homedepot): a real `semmatch serve` holds
# the catalogue in collection "hd" (MiniLM, titles, HNSW); simulated shoppers issue the train queries (10% with one
# typo), see the top 10 of a hybrid search, examine position k with probability 1/k (a position-based model), click
# an examined hit with an attraction set by its human label (3 -> 0.9, 2 -> 0.26, 1 -> 0.05, unlabelled -> 0.02;
# alpha = 0.05 + 0.85 * ((label - 1) / 2) ** 2) and buy 30% of the clicked hits labelled 2.5 or more. Every search
# posts its impressions, clicks and purchases to /events with the search's queryId. Then the server stops and
# `semmatch retrain --dry-run` trains from MiniLM on the debiased (position-based) and the naive judgments of the
# log; `semmatch eval` scores the base model and both candidates on the dev judgments over the whole catalogue
# (NDCG@10, MRR@10, Recall@100, dense retrieval). Parameters and seed are printed; the numbers go to
# docs/results/learning-loop.md by hand, with the command.
#   dotnet build -c Release && python3 benchmarks/traffic-simulator.py [--searches 20000] [--products 54667] [--seed 7]
# --products N keeps the products any sampled query has a label for, plus random others up to N (a quick run).
import argparse, csv, datetime, json, os, random, socket, subprocess, sys, tempfile, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument('--searches', type=int, default=20000)
parser.add_argument('--products', type=int, default=0, help='catalogue size (0 = all)')
parser.add_argument('--queries', type=int, default=0, help='distinct train queries shoppers use (0 = all)')
parser.add_argument('--seed', type=int, default=7)
parser.add_argument('--epochs', type=int, default=1)
parser.add_argument('--work', default=None)
args = parser.parse_args()

root = os.path.dirname(os.path.realpath(__file__))
data = os.path.join(root, '..', '..', 'shared', 'data', 'homedepot')
dll = os.path.join(root, '..', 'src', 'SemanticMatch.Cli', 'bin', 'Release', 'net10.0', 'semmatch.dll')
if not os.path.isdir(data):
    sys.exit('needs ../shared/data/homedepot beside the checkout')
rng = random.Random(args.seed)
work = args.work or tempfile.mkdtemp(prefix='semmatch-traffic-')
os.makedirs(work, exist_ok=True)


def read(name):
    return list(csv.DictReader(open(os.path.join(data, name), encoding='utf-8')))


labels = {}
for r in read('train.csv'):
    labels.setdefault(r['query'], {})[r['product_id']] = float(r['relevance'])
queries = sorted(labels)
if args.queries:
    queries = rng.sample(queries, args.queries)
products = read('products.csv')
dev = read('dev.csv')
if args.products:
    keep = {p for q in queries for p in labels[q]} | {r['product_id'] for r in dev}
    others = [p['product_id'] for p in products if p['product_id'] not in keep]
    keep |= set(rng.sample(others, max(0, min(len(others), args.products - len(keep)))))
    products = [p for p in products if p['product_id'] in keep]
catalogue = os.path.join(work, 'products.csv')
with open(catalogue, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f); w.writerow(['product_id', 'title']); w.writerows([[p['product_id'], p['title']] for p in products])
print('work %s; %d products, %d train queries, %d searches, seed %d' % (work, len(products), len(queries), args.searches, args.seed), flush=True)


def attraction(label):
    return 0.02 if label is None else 0.05 + 0.85 * ((label - 1) / 2) ** 2


def typo(query):
    words = query.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        return query
    i = rng.choice(long); j = rng.randrange(1, len(words[i]) - 1)
    w = words[i]; words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return ' '.join(words)


sock = socket.socket(); sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]; sock.close()
url = 'http://127.0.0.1:%d' % port
store = os.path.join(work, 'data')
server = subprocess.Popen(['dotnet', dll, 'serve', '--data', store, '--urls', url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def call(method, path, body=None):
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                 headers={'Content-Type': 'application/json'})
    return json.loads(urllib.request.urlopen(req, timeout=600).read() or b'null')


clicks = purchases = 0
try:
    for line in server.stdout:
        if 'listening' in line.lower():
            break
    call('PUT', '/v1/collections/hd', {'model': 'minilm', 'fields': ['title'], 'vectorIndex': 'hnsw'})
    started = time.perf_counter()
    for i in range(0, len(products), 1000):
        call('POST', '/v1/collections/hd/records', [{'id': p['product_id'], 'title': p['title']} for p in products[i:i + 1000]])
    print('loaded in %.0f s' % (time.perf_counter() - started), flush=True)
    started = time.perf_counter()
    window_from = datetime.datetime.now(datetime.timezone.utc).isoformat()
    for s in range(args.searches):
        query = rng.choice(queries)
        shown = typo(query) if rng.random() < 0.1 else query
        session = 'shopper-%d' % rng.randrange(2000)
        answer = call('POST', '/v1/collections/hd/search', {'query': shown, 'top': 10, 'method': 'hybrid', 'session': session})
        events = []
        for k, hit in enumerate(answer['hits'], start=1):
            events.append({'queryId': answer['queryId'], 'action': 'impression', 'objectId': hit['id'], 'position': k, 'session': session})
            label = labels[query].get(hit['id'])
            if rng.random() < 1 / k and rng.random() < attraction(label):
                events.append({'queryId': answer['queryId'], 'action': 'click', 'objectId': hit['id'], 'position': k, 'session': session}); clicks += 1
                if label is not None and label >= 2.5 and rng.random() < 0.3:
                    events.append({'queryId': answer['queryId'], 'action': 'purchase', 'objectId': hit['id'], 'position': k, 'session': session}); purchases += 1
        call('POST', '/v1/collections/hd/events', events)
        if (s + 1) % 1000 == 0:
            print('%d searches, %d clicks, %d purchases, %.0f searches/s' % (s + 1, clicks, purchases, (s + 1) / (time.perf_counter() - started)), flush=True)
    window_to = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)).isoformat()
finally:
    server.terminate(); server.wait()


def run(*command):
    print('$ semmatch ' + ' '.join(command), flush=True)
    done = subprocess.run(['dotnet', dll, *command], text=True, capture_output=True)
    print(done.stdout[-3000:], done.stderr[-2000:], flush=True)
    if done.returncode != 0:
        sys.exit('failed: exit %d' % done.returncode)


models = {'base': 'minilm'}
for name, model in [('debiased', 'position-based'), ('naive', 'naive')]:
    out = os.path.join(work, name)
    run('retrain', '--data', store, '--collection', 'hd', '--out', out, '--click-model', model, '--min-evidence', '2',
        '--epochs', str(args.epochs), '--seed', str(args.seed), '--dry-run', '--from', window_from, '--to', window_to)
    models[name] = out
dev_file = os.path.join(work, 'dev.csv')
with open(dev_file, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f); w.writerow(['query', 'product_id', 'relevance']); w.writerows([[r['query'], r['product_id'], r['relevance']] for r in dev])
run('eval', '--products', catalogue, '--judgments', dev_file, '--methods', 'dense', '--models', ','.join('%s=%s' % m for m in models.items()), '--out', os.path.join(work, 'eval'))
print('models: %s' % json.dumps(models))
