import type { CircuitSnapshot, CircuitStore, StoredCircuit } from './store.js';

/**
 * The in-process store. Breakers attached to one `memoryStore()` under the same name share
 * their state (a transition on one is adopted by the others), and a breaker created later
 * under a known name resumes the latest state. It records no outcomes, so the hot path costs
 * nothing. A breaker created without a `store` keeps its state to itself.
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
      const known = latest.get(circuit.name);
      if (known === undefined || !circuit.adopt(known)) remember(circuit.toJSON());
      const peers = attached.get(circuit.name) ?? new Set<StoredCircuit>();
      peers.add(circuit);
      attached.set(circuit.name, peers);
      return {
        recordTransition(snapshot) {
          if (!remember(snapshot)) return;
          for (const peer of attached.get(circuit.name) ?? []) {
            if (peer !== circuit) peer.adopt(snapshot);
          }
        },
      };
    },
    close() {
      attached.clear();
      return Promise.resolve();
    },
  };
}
