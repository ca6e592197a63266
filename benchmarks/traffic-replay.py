#!/usr/bin/env python3
# More simulated traffic than a real server can take in an afternoon: the shoppers of shoppers.py replayed offline
# against the hit lists the server answered for each train query in an earlier traffic-simulator.py run (its
# collection unchanged, so a query's hits are the same every time), with query popularity following Zipf's law (the k-th most popular query
# searched in proportion to 1/k^s; e-commerce query logs are heavy-tailed). Writes a data directory holding that run's
# collection and the new log, for `semmatch feedback export` and `semmatch retrain`. Typos are left out (only the
# untouched queries' hit lists are reused).
#   python3 benchmarks/traffic-replay.py --run DIR --searches 200000 --zipf 1.0 --seed 7 --out DIR2
import argparse, csv, datetime, json, os, random, shutil, sys
import shoppers

parser = argparse.ArgumentParser()
parser.add_argument('--run', required=True, help='the --work directory of a traffic-simulator.py run')
parser.add_argument('--searches', type=int, default=200000)
parser.add_argument('--zipf', type=float, default=1.0, help='exponent s of query popularity (0 = uniform)')
parser.add_argument('--seed', type=int, default=7)
parser.add_argument('--out', required=True, help='new data directory (must not exist)')
args = parser.parse_args()

root = os.path.dirname(os.path.realpath(__file__))
labels = {}
for r in csv.DictReader(open(os.path.join(root, '..', '..', 'shared', 'data', 'homedepot', 'train.csv'), encoding='utf-8')):
    labels.setdefault(r['query'], {})[r['product_id']] = float(r['relevance'])
hits = {}
for line in open(os.path.join(args.run, 'data', 'feedback', 'hd.jsonl'), encoding='utf-8'):
    search = json.loads(line).get('search')
    if search and search['query'] in labels and search['query'] not in hits:
        hits[search['query']] = search['hits']
if os.path.exists(args.out):
    sys.exit('%s exists' % args.out)
shutil.copytree(os.path.join(args.run, 'data', 'collections', 'hd'), os.path.join(args.out, 'collections', 'hd'))
os.makedirs(os.path.join(args.out, 'feedback'))

rng = random.Random(args.seed)
queries = sorted(hits)
rng.shuffle(queries)  # popularity rank
weights = [1 / (k + 1) ** args.zipf for k in range(len(queries))]
start = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
clicks = purchases = 0
searched = set()
with open(os.path.join(args.out, 'feedback', 'hd.jsonl'), 'w', encoding='utf-8') as log:
    for i, query in enumerate(rng.choices(queries, weights=weights, k=args.searches)):
        time = start + datetime.timedelta(seconds=i)
        searched.add(query)
        query_id, session = 'replay-%d' % i, 'shopper-%d' % rng.randrange(2000)
        log.write(json.dumps({'time': time.isoformat(), 'search': {'queryId': query_id, 'query': query, 'searched': query, 'method': 'hybrid',
                                                                   'filters': [], 'generation': 1, 'offset': 0, 'hits': hits[query], 'session': session}}) + '\n')
        events, clicked, bought = shoppers.react(query_id, hits[query], labels[query], session, rng)
        clicks += clicked; purchases += bought
        log.write(json.dumps({'time': (time + datetime.timedelta(milliseconds=500)).isoformat(), 'events': events}) + '\n')
end = start + datetime.timedelta(seconds=args.searches + 1)
print(json.dumps({'searches': args.searches, 'distinctQueries': len(searched), 'clicks': clicks, 'purchases': purchases,
                  'from': start.isoformat(), 'to': end.isoformat()}))
