import { useCallback } from "react";
import {
  QueryClient,
  useInfiniteQuery,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { ApiError, unwrap, type Device, type IngestResult, type Schemas, type Site } from "./client";

type DevicePage = Schemas["DevicePage"];
type ReadingPage = Schemas["ReadingPage"];
import { useApi } from "./context";
import type { paths } from "./schema";
import type { CloudEvent } from "../lib/events";
import type { RangeQuery } from "../lib/timeRange";

export const DEFAULT_PAGE_SIZE = 20;
export const READINGS_PAGE_SIZE = 100;
const MAX_PAGES = 50;

/** Client errors (4xx) are answers, not glitches: don't retry them. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient(opts: { retry?: boolean } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: opts.retry === false ? false : shouldRetry,
        staleTime: 15_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export const queryKeys = {
  sites: ["sites"] as const,
  devices: (siteId: string | null, limit: number) => ["devices", { siteId, limit }] as const,
  siteDeviceCount: (siteId: string) => ["devices", "count", siteId] as const,
  device: (deviceId: string) => ["device", deviceId] as const,
  readings: (deviceId: string) => ["readings", deviceId] as const,
  me: (token: string | null) => ["me", token] as const,
};

/** Every site (following `next` through all pages): sites are few and feed the filter. */
export function useSites() {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.sites,
    queryFn: async ({ signal }) => {
      const all: Site[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await unwrap(client.GET("/sites", { params: { query: { limit: 100, cursor } }, signal }));
        all.push(...res.items);
        if (!res.next) break;
        cursor = res.next;
      }
      return all;
    },
  });
}

/** Devices a page at a time; with a site, through the bySite index route. */
export function useDevicePages(siteId: string | null, limit: number = DEFAULT_PAGE_SIZE) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: queryKeys.devices(siteId, limit),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: DevicePage) => last.next ?? undefined,
    queryFn: ({ pageParam, signal }): Promise<DevicePage> =>
      siteId
        ? unwrap(
            client.GET("/sites/{siteId}/devices", {
              params: { path: { siteId }, query: { limit, cursor: pageParam } },
              signal,
            }),
          )
        : unwrap(client.GET("/devices", { params: { query: { limit, cursor: pageParam } }, signal })),
  });
}

/** How many devices each site has (counts every page of /sites/{siteId}/devices). */
export function useSiteDeviceCounts(siteIds: readonly string[]) {
  const { client } = useApi();
  return useQueries({
    queries: siteIds.map((siteId) => ({
      queryKey: queryKeys.siteDeviceCount(siteId),
      queryFn: async ({ signal }: { signal: AbortSignal }) => {
        let count = 0;
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const res = await unwrap(
            client.GET("/sites/{siteId}/devices", {
              params: { path: { siteId }, query: { limit: 100, cursor } },
              signal,
            }),
          );
          count += res.items.length;
          if (!res.next) break;
          cursor = res.next;
        }
        return count;
      },
    })),
  });
}

export function useDevice(deviceId: string, opts: { refetchInterval?: number | false } = {}) {
  const { client } = useApi();
  return useQuery({
    queryKey: queryKeys.device(deviceId),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/devices/{deviceId}", { params: { path: { deviceId } }, signal })),
    refetchInterval: opts.refetchInterval ?? false,
  });
}

export function useReadingPages(deviceId: string, range: RangeQuery, limit: number = READINGS_PAGE_SIZE) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: [...queryKeys.readings(deviceId), { ...range, limit }],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: ReadingPage) => last.next ?? undefined,
    queryFn: ({ pageParam, signal }): Promise<ReadingPage> =>
      unwrap(
        client.GET("/devices/{deviceId}/readings", {
          params: { path: { deviceId }, query: { ...range, limit, cursor: pageParam } },
          signal,
        }),
      ),
  });
}

export function useProfile() {
  const { client, token } = useApi();
  return useQuery({
    queryKey: queryKeys.me(token),
    queryFn: ({ signal }) => unwrap(client.GET("/me", { signal })),
    retry: false,
  });
}

// spec/openapi.yaml leaves out the request body of POST /events (gen derives it from `events:`);
// the generated API Gateway definition declares it. Type-check against it when it is there.
type BodyOf<RB> = RB extends { content: { "application/json": infer B } } ? B : never;
type IngestBody = BodyOf<NonNullable<paths["/events"]["post"]["requestBody"]>>;

export function useIngestEvents() {
  const { client } = useApi();
  return useMutation<IngestResult, Error, CloudEvent<unknown>[]>({
    mutationFn: (events) => unwrap(client.POST("/events", { body: events as IngestBody })),
  });
}

/** After a new reading: refresh the device's readings and every device list. */
export function useInvalidateDevice() {
  const queryClient = useQueryClient();
  return useCallback(
    (device: Pick<Device, "deviceId">) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.readings(device.deviceId) }),
        queryClient.invalidateQueries({ queryKey: ["devices"] }),
      ]),
    [queryClient],
  );
}
