# The simulated shopper of traffic-simulator.py and traffic-replay.py: one search's events from the hits shown.
# Examines position k with probability 1/k (a position-based model), clicks an examined hit with an attraction set by
# its human label (3 -> 0.9, 2 -> 0.26, 1 -> 0.05, unlabelled -> 0.02) and buys 30% of the clicked hits labelled 2.5
# or more.


def attraction(label):
    return 0.02 if label is None else 0.05 + 0.85 * ((label - 1) / 2) ** 2


def react(query_id, hits, labels, session, r):
    """The events of one search (hits: record ids, best first; labels: the query's product -> human label); returns (events, clicks, purchases)."""
    events, clicks, purchases = [], 0, 0
    for k, hit in enumerate(hits, start=1):
        events.append({'queryId': query_id, 'action': 'impression', 'objectId': hit, 'position': k, 'session': session})
        label = labels.get(hit)
        if r.random() < 1 / k and r.random() < attraction(label):
            events.append({'queryId': query_id, 'action': 'click', 'objectId': hit, 'position': k, 'session': session}); clicks += 1
            if label is not None and label >= 2.5 and r.random() < 0.3:
                events.append({'queryId': query_id, 'action': 'purchase', 'objectId': hit, 'position': k, 'session': session}); purchases += 1
    return events, clicks, purchases
