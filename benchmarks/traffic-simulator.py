#!/usr/bin/env python3
# The learning loop on simulated shoppers over Home Depot (../shared/data/homedepot), end to end on a real server.
# Stages (each resumable: a stage whose output is in --work is skipped):
#   traffic     `semmatch serve` holds the catalogue in collection "hd" (MiniLM, titles, HNSW); simulated shoppers
#               issue the train queries (10% with one typo), see the top 10 of a hybrid search and react as
#               shoppers.py says (examination 1/k, attraction from the human label, purchases); every search
#               posts its impressions, clicks and purchases to /events with its queryId.
#   judgments   `semmatch feedback export` (debiased and naive) scored against the human labels of the same pairs.
#   train       `semmatch retrain --dry-run` from MiniLM on the debiased and the naive judgments (each --train-seeds
#               seed), and the ceiling: `semmatch train` on the human labels of the queries the shoppers searched.
#   eval        `semmatch eval --methods dense` of the base model and every candidate on dev over the catalogue.
#   build       a generation of hd under the debiased model (its int8 copy), built while searches run: records/s, p50/p99
#               vs idle.
#   interleave  collection "hd-debiased" (the debiased model, the same records), an experiment on hd with it as the
#               candidate (share 1), --fresh new searches by the same shoppers (another seed), the report.
# The numbers go to docs/results/learning-loop.md by hand, with the command.
#   dotnet build -c Release && python3 benchmarks/traffic-simulator.py --work DIR [--searches 20000] [--seed 7]
# --products N keeps the products any sampled query has a label for, plus random others up to N (a quick run).
import argparse, csv, datetime, json, os, random, socket, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request
import shoppers

STAGES = ['traffic', 'judgments', 'train', 'eval', 'build', 'interleave']
parser = argparse.ArgumentParser()
parser.add_argument('--searches', type=int, default=20000)
parser.add_argument('--fresh', type=int, default=4000, help='searches of the interleaving experiment')
parser.add_argument('--products', type=int, default=0, help='catalogue size (0 = all)')
parser.add_argument('--queries', type=int, default=0, help='distinct train queries shoppers use (0 = all)')
parser.add_argument('--seed', type=int, default=7, help='seed of the traffic')
parser.add_argument('--train-seeds', default='7', help='comma-separated training seeds (the spread)')
parser.add_argument('--epochs', type=int, default=1)
parser.add_argument('--min-evidence', type=int, default=2)
parser.add_argument('--stages', default=','.join(STAGES))
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
store = os.path.join(work, 'data')
stages = args.stages.split(',')
train_seeds = [int(s) for s in args.train_seeds.split(',')]


def read(name):
    return list(csv.DictReader(open(os.path.join(data, name), encoding='utf-8')))


def write_csv(path, header, rows):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f); w.writerow(header); w.writerows(rows)


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
write_csv(catalogue, ['product_id', 'title'], [[p['product_id'], p['title']] for p in products])
print('work %s; %d products, %d train queries, %d searches, traffic seed %d, training seeds %s' %
      (work, len(products), len(queries), args.searches, args.seed, train_seeds), flush=True)


def typo(query, r):
    words = query.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        return query
    i = r.choice(long); j = r.randrange(1, len(words[i]) - 1)
    w = words[i]; words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return ' '.join(words)


def state(name, value=None):
    path = os.path.join(work, name + '.json')
    if value is not None:
        json.dump(value, open(path, 'w'), indent=1)
    return json.load(open(path)) if os.path.exists(path) else None


class Server:
    def __enter__(self):
        sock = socket.socket(); sock.bind(('127.0.0.1', 0)); port = sock.getsockname()[1]; sock.close()
        self.url = 'http://127.0.0.1:%d' % port
        self.process = subprocess.Popen(['dotnet', dll, 'serve', '--data', store, '--urls', self.url], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        for line in self.process.stdout:
            if 'listening' in line.lower():
                break
        return self

    def __exit__(self, *_):
        self.process.terminate(); self.process.wait(timeout=120)

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            return json.loads(urllib.request.urlopen(req, timeout=600).read() or b'null')
        except urllib.error.HTTPError as e:
            sys.exit('%s %s: %d %s' % (method, path, e.code, e.read().decode()[:500]))

    def load(self, collection, model):
        self.call('PUT', '/v1/collections/' + collection, {'model': model, 'fields': ['title'], 'vectorIndex': 'hnsw'})
        started = time.perf_counter()
        for i in range(0, len(products), 1000):
            self.call('POST', '/v1/collections/%s/records' % collection, [{'id': p['product_id'], 'title': p['title']} for p in products[i:i + 1000]])
        return time.perf_counter() - started


def shop(server, count, r, report_every=1000):
    """count simulated searches on hd; returns (clicks, purchases, searches/s)."""
    clicks = purchases = 0
    started = time.perf_counter()
    for s in range(count):
        query = r.choice(queries)
        shown = typo(query, r) if r.random() < 0.1 else query
        session = 'shopper-%d' % r.randrange(2000)
        answer = server.call('POST', '/v1/collections/hd/search', {'query': shown, 'top': 10, 'method': 'hybrid', 'session': session})
        events, clicked, bought = shoppers.react(answer['queryId'], [hit['id'] for hit in answer['hits']], labels[query], session, r)
        clicks += clicked; purchases += bought
        server.call('POST', '/v1/collections/hd/events', events)
        if (s + 1) % report_every == 0:
            print('%d searches, %d clicks, %d purchases, %.0f searches/s' % (s + 1, clicks, purchases, (s + 1) / (time.perf_counter() - started)), flush=True)
    return clicks, purchases, count / (time.perf_counter() - started)


def semmatch(*command):
    print('$ semmatch %s' % ' '.join(command), flush=True)
    started = time.perf_counter()
    done = subprocess.run(['dotnet', dll, *command], text=True, capture_output=True)
    print(done.stdout[-2500:], done.stderr[-2000:], '(%.0f s)' % (time.perf_counter() - started), flush=True)
    if done.returncode != 0:
        sys.exit('failed: exit %d' % done.returncode)
    return done.stdout


def percentiles(took):
    took = sorted(took)
    return took[len(took) // 2], took[max(0, int(len(took) * 0.99) - 1)]


traffic = state('traffic')
if 'traffic' in stages and traffic is None:
    with Server() as server:
        loaded = server.load('hd', 'minilm')
        print('loaded %d products in %.0f s' % (len(products), loaded), flush=True)
        window_from = datetime.datetime.now(datetime.timezone.utc).isoformat()
        clicks, purchases, rate = shop(server, args.searches, rng)
        window_to = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)).isoformat()
    traffic = state('traffic', {'from': window_from, 'to': window_to, 'searches': args.searches, 'clicks': clicks, 'purchases': purchases,
                                'searchesPerSecond': rate, 'loadSeconds': loaded, 'products': len(products)})
print('traffic: %s' % json.dumps(traffic), flush=True)

if 'judgments' in stages:
    # How well each export matches the human labels of the same (query, product) pairs.
    for name, model, positive in [('debiased', 'position-based', 0.5), ('naive', 'naive', 2)]:
        out = os.path.join(work, 'judgments-%s.csv' % name)
        semmatch('feedback', 'export', '--data', store, '--collection', 'hd', '--out', out, '--click-model', model, '--min-evidence', str(args.min_evidence))
        rows = list(csv.DictReader(open(out, encoding='utf-8')))
        pos = [r for r in rows if float(r['relevance']) >= positive]
        known = [r for r in pos if r['product_id'] in labels.get(r['query'], {})]
        good = [r for r in known if labels[r['query']][r['product_id']] >= 2.5]
        print('%s: %d judgments, %d positives (relevance >= %g): %d with a human label, %.1f%% of those labelled >= 2.5; %d unlabelled' %
              (name, len(rows), len(pos), positive, len(known), 100 * len(good) / max(1, len(known)), len(pos) - len(known)), flush=True)

models = {'base': 'minilm'}
if 'train' in stages or 'eval' in stages:
    for seed in train_seeds:
        for name, model in [('debiased', 'position-based'), ('naive', 'naive')]:
            out = os.path.join(work, '%s-%d' % (name, seed))
            if not os.path.exists(os.path.join(out, 'retrain-decision.json')) and 'train' in stages:
                semmatch('retrain', '--data', store, '--collection', 'hd', '--out', out, '--click-model', model, '--min-evidence', str(args.min_evidence),
                         '--epochs', str(args.epochs), '--seed', str(seed), '--dry-run', '--from', traffic['from'], '--to', traffic['to'])
            models['%s-%d' % (name, seed)] = out
        # The ceiling: the same queries' human labels, trained the same way (its own pairs choose the epoch, as retrain's do).
        searched = {q.lower() for q in queries}
        human = os.path.join(work, 'human.csv')
        write_csv(human, ['query', 'product_id', 'relevance'], [[q, p, l] for q in queries if q.lower() in searched for p, l in labels[q].items()])
        out = os.path.join(work, 'ceiling-%d' % seed)
        if not os.path.exists(os.path.join(out, 'model.onnx')) and 'train' in stages:
            semmatch('train', '--train', human, '--dev', human, '--products', catalogue, '--base', 'minilm', '--out', out, '--epochs', str(args.epochs),
                     '--seed', str(seed))
        models['ceiling-%d' % seed] = out

if 'eval' in stages:
    dev_file = os.path.join(work, 'dev.csv')
    write_csv(dev_file, ['query', 'product_id', 'relevance'], [[r['query'], r['product_id'], r['relevance']] for r in dev])
    semmatch('eval', '--products', catalogue, '--judgments', dev_file, '--methods', 'dense', '--models', ','.join('%s=%s' % m for m in models.items()),
             '--out', os.path.join(work, 'eval'))

debiased = os.path.join(work, 'debiased-%d' % train_seeds[0])
if 'build' in stages and state('build') is None:
    bench = [r['query'] for r in dev][:300]
    int8 = debiased + '-int8'  # the goal is stated for the int8 encoder
    if not os.path.exists(os.path.join(int8, 'model.onnx')):
        semmatch('quantize', '--model', debiased, '--out', int8)
    with Server() as server:
        def searches(qs):
            took = []
            for q in qs:
                t = time.perf_counter()
                server.call('POST', '/v1/collections/hd/search', {'query': q, 'top': 10, 'method': 'hybrid'})
                took.append((time.perf_counter() - t) * 1000)
            return took
        searches(bench[:30])
        idle = percentiles(searches(bench))
        before = server.call('GET', '/v1/collections/hd')['generation']
        started = time.perf_counter()
        number = server.call('POST', '/v1/collections/hd/generations', {'model': int8})['generation']
        during, rounds = [], 0
        while True:
            c = server.call('GET', '/v1/collections/hd')
            if c['generation'] == number and 'building' not in c:
                break
            during += searches(bench[rounds * 20 % 300:][:20]); rounds += 1
        built = time.perf_counter() - started
        p50, p99 = percentiles(during)
        server.call('POST', '/v1/collections/hd/rollback')  # the experiment below compares against the serving base model
        rolled = server.call('GET', '/v1/collections/hd')['generation']
    build = state('build', {'records': len(products), 'seconds': built, 'recordsPerSecond': len(products) / built, 'searchesDuring': len(during),
                            'idleP50': idle[0], 'idleP99': idle[1], 'duringP50': p50, 'duringP99': p99, 'generationBefore': before,
                            'generationBuilt': number, 'generationAfterRollback': rolled})
    print('build: %s' % json.dumps(build), flush=True)

if 'interleave' in stages and state('interleave') is None:
    with Server() as server:
        loaded = server.load('hd-debiased', debiased)
        server.call('PUT', '/v1/collections/hd/experiment', {'candidate': 'hd-debiased', 'share': 1.0})
        clicks, purchases, rate = shop(server, args.fresh, random.Random(args.seed + 1000))
        report = server.call('GET', '/v1/collections/hd/experiment')
    result = state('interleave', {'loadSeconds': loaded, 'searches': args.fresh, 'clicks': clicks, 'purchases': purchases, 'report': report})
    print('interleave: %s' % json.dumps(result), flush=True)
