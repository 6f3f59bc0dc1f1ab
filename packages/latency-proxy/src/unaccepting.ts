// "Accepts no one": a listener on the proxy's own port whose accept queue is full, so the kernel
// drops every new SYN and a client's connect hangs until its own connect timeout, as when every
// packet to DynamoDB is lost. A proxy cannot refuse a handshake its kernel completes; this is the
// one way on loopback (the probe's tests use the same trick). The listener lives in a worker
// thread that never runs its event loop, so it never accepts; a few filler connections fill the
// queue (Linux keeps backlog + 1). Closing it wakes the worker, which closes the port.
import { once } from "node:events";
import net from "node:net";
import { Worker } from "node:worker_threads";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const net = require("node:net");
const server = net.createServer();
server.on("error", (e) => parentPort.postMessage({ error: e.code || e.message }));
parentPort.postMessage({ ready: true });
// Binds when told: the thread is up by then, so the port changes hands in a moment.
parentPort.once("message", () => {
  server.listen({ port: workerData.port, host: workerData.host, backlog: 1 }, () => {
    parentPort.postMessage({ listening: true });
    // Block this thread's event loop until told to stop: nothing here ever calls accept().
    Atomics.wait(new Int32Array(workerData.flag), 0, 0);
    server.close();
  });
});`;

/** Filler connections to try: Linux queues backlog + 1; other systems differ a little. */
const MAX_FILLERS = 4;
const FILLER_WAIT_MS = 250;

export interface Unaccepting {
  close(): Promise<void>;
}

async function listenInWorker(
  host: string,
  port: number,
  flag: SharedArrayBuffer,
  release: () => void,
): Promise<Worker> {
  for (let attempt = 0; ; attempt++) {
    const worker = new Worker(WORKER, { eval: true, workerData: { host, port, flag } });
    await once(worker, "message"); // ready
    if (attempt === 0) release();
    worker.postMessage("listen");
    // The port can take a moment to be free after its listener closed.
    const [message] = (await once(worker, "message")) as [{ listening?: boolean; error?: string }];
    if (message.listening) return worker;
    await worker.terminate();
    if (message.error !== "EADDRINUSE" || attempt >= 20) throw new Error(`cannot hold port ${port}: ${message.error}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function connectWithin(host: string, port: number, ms: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** `release` closes the port's current listener: called once the worker is ready to take the port at once. */
export async function holdUnaccepting(host: string, port: number, release: () => void): Promise<Unaccepting> {
  const flag = new SharedArrayBuffer(4);
  const worker = await listenInWorker(host, port, flag, release);
  const fillers: net.Socket[] = [];
  for (let i = 0; i < MAX_FILLERS; i++) {
    const socket = await connectWithin(host, port, FILLER_WAIT_MS);
    if (!socket) break; // the queue is full: the kernel dropped this SYN
    socket.on("error", () => {});
    fillers.push(socket);
  }
  return {
    async close() {
      const exited = once(worker, "exit");
      Atomics.store(new Int32Array(flag), 0, 1);
      Atomics.notify(new Int32Array(flag), 0);
      for (const s of fillers) s.destroy();
      await exited;
    },
  };
}
