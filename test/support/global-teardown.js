export default async function globalTeardown() {
  await globalThis.__JASPER_MONGO__?.stop();
}
