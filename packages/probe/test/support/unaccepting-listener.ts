// A TCP listener whose accept queue is full: the kernel drops further SYNs, so a client's
// connect hangs until its own connect timeout fires. It is the one way to make a connection
// slow to establish on loopback (a proxy accepts at once). Linux keeps backlog + 1 in the queue.
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";

const LISTENER = `
const net = require("node:net");
const server = net.createServer();
server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  process.stdout.write(server.address().port + "\\n");
  // Block the event loop so nothing is ever accepted; the parent kills this process.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
});`;

export async function startUnacceptingListener() {
  const child = spawn(process.execPath, ["-e", LISTENER], { stdio: ["ignore", "pipe", "inherit"] });
  const [data] = (await once(child.stdout, "data")) as [Buffer];
  const port = Number(String(data).trim());
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = net.connect(port, "127.0.0.1");
    fillers.push(socket);
    await once(socket, "connect");
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    },
  };
}
