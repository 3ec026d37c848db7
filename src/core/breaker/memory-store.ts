import type { CircuitSnapshot, CircuitStore, StoredCircuit } from './store.js';

/**
 * The in-process store. Breakers attached to one `memoryStore()` under the same name share
 * their state (a transition on one is adopted by the others), and a breaker created later
 * under a known name resumes the latest state. It records no outcomes, so the hot path costs
 * nothing. A breaker created without a `store` keeps its state to itself.
 *
 * When the last breaker of a name is disposed, the store forgets the name if its circuit is
 * closed (a new breaker starts closed anyway), and keeps any other state (open, isolated,
 * disabled) for the next breaker of that name, as a file would: so breakers that come and
 * go do not grow the store, and a removed breaker that was open does not come back closed.
 */
export function memoryStore(): CircuitStore {
  const latest = new Map<string, CircuitSnapshot>();
  const attached = new Map<string, Set<StoredCircuit>>();

  const remember = (snapshot: CircuitSnapshot): boolean => {
    const known = latest.get(snapshot.name);
    if (known !== undefined && known.version > snapshot.version) return false;
    latest.set(snapshot.name, snapshot);
    return true;
  };

  return {
    attach(circuit) {
      const name = circuit.name;
      const known = latest.get(name);
      if (known === undefined || !circuit.adopt(known)) remember(circuit.toJSON());
      let peers = attached.get(name);
      if (peers === undefined) attached.set(name, (peers = new Set()));
      peers.add(circuit);
      const group = peers;
      return {
        recordTransition(snapshot) {
          if (!remember(snapshot)) return;
          for (const peer of group) if (peer !== circuit) peer.adopt(snapshot);
        },
        detach() {
          group.delete(circuit);
          if (group.size > 0 || attached.get(name) !== group) return;
          attached.delete(name);
          if (latest.get(name)?.state === 'closed') latest.delete(name);
        },
      };
    },
    close() {
      for (const group of attached.values()) group.clear();
      attached.clear();
      return Promise.resolve();
    },
  };
}
