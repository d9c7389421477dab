import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * Endpoints that never answer, on loopback, as a firewall or a hung server would present them:
 * - `answersNever`: accepts TCP connections and reads requests, never writes a byte;
 * - `acceptsNever`: a listening socket whose owner is frozen (SIGSTOP) and whose accept queue is full, so
 *   the kernel drops further SYNs and a connect hangs until the client gives up.
 */

export interface BlackHole {
    url: string;
    stop(): Promise<void>;
}

export async function answersNever(): Promise<BlackHole> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
        sockets.push(socket);
        socket.on("data", () => undefined);
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        stop: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}

export async function acceptsNever(): Promise<BlackHole> {
    const listener =
        "require('net').createServer(() => {}).listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function " +
        "() { console.log(this.address().port) })";
    const child: ChildProcess = spawn(process.execPath, ["-e", listener], { stdio: ["ignore", "pipe", "ignore"] });
    const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.once("data", (data: Buffer) => resolve(Number(String(data).trim())));
        child.once("error", reject);
    });
    child.kill("SIGSTOP");
    // Fill the accept queue (backlog + 1 on Linux); later SYNs are dropped.
    const fillers: Socket[] = [];
    for (let i = 0; i < 3; i++) {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => undefined);
        fillers.push(socket);
        await new Promise<void>((resolve) => {
            socket.once("connect", () => resolve());
            setTimeout(resolve, 300).unref();
        });
    }
    if (!fillers.some((socket) => socket.connecting)) throw new Error("acceptsNever: the accept queue did not fill");
    return {
        url: `http://127.0.0.1:${port}`,
        stop: async () => {
            for (const socket of fillers) socket.destroy();
            child.kill("SIGCONT");
            child.kill("SIGKILL");
        },
    };
}
