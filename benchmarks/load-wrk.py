#!/usr/bin/env python3
# Prepares a running `semmatch serve` for a wrk load test: creates collection "hd" (minilm-int8, HNSW, titles), loads
# the Home Depot catalogue from ../shared/data/homedepot, and writes queries.lua (300 distinct dev queries, posted in
# turn as hybrid searches). Then: wrk -t1 -c8 -d15s --latency -s queries.lua URL
#   python3 benchmarks/load-wrk.py http://127.0.0.1:PORT
import csv, json, os, sys, urllib.request

url = sys.argv[1]
data = os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', 'shared', 'data', 'homedepot')


def call(method, path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method, headers={'Content-Type': 'application/json'})
    return urllib.request.urlopen(req, timeout=600).read()


call('PUT', '/v1/collections/hd', {'model': 'minilm-int8', 'fields': ['title'], 'vectorIndex': 'hnsw'})
rows = list(csv.DictReader(open(os.path.join(data, 'products.csv'), encoding='utf-8')))
for i in range(0, len(rows), 1000):
    call('POST', '/v1/collections/hd/records', [{'id': r['product_id'], 'title': r['title']} for r in rows[i:i + 1000]])
print('loaded', len(rows))
queries = sorted({r['query'] for r in csv.DictReader(open(os.path.join(data, 'dev.csv'), encoding='utf-8'))})[:300]
with open('queries.lua', 'w', encoding='utf-8') as f:
    f.write('queries = {' + ','.join(json.dumps(json.dumps({'query': q})) for q in queries) + '}\n')
    f.write('i = 0\nrequest = function()\n  i = i % #queries + 1\n'
            '  return wrk.format("POST", "/v1/collections/hd/search", {["Content-Type"]="application/json"}, queries[i])\nend\n')
