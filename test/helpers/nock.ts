// GitHub faked with nock: no request of the file's tests leaves the machine (except to `allow`,
// e.g. the local Redis), and each test starts without the previous one's interceptors.
import nock from "nock";
import { afterEach, beforeEach } from "vitest";

export function offlineGitHub(allow?: RegExp): void {
  beforeEach(() => {
    nock.disableNetConnect();
    if (allow) nock.enableNetConnect(allow);
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
