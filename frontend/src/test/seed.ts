// Seed-like data for the unit tests: a copy of spec/seed/*.yaml (unicode, quotes, emoji,
// null humidity, a device without readings). The e2e tests use the real seed through gen dev.
import type { Device, Profile, Reading, Site } from "../api/client";

export const sites: Site[] = [
  {
    "siteId": "site-zrh",
    "name": "Zürich Nord",
    "timezone": "Europe/Zurich",
    "location": {
      "lat": 47.4106,
      "lon": 8.5445
    }
  },
  {
    "siteId": "site-osl",
    "name": "Oslo Havn",
    "timezone": "Europe/Oslo",
    "location": {
      "lat": 59.9075,
      "lon": 10.7528
    }
  },
  {
    "siteId": "site-bos",
    "name": "Boston \"Seaport\" Depot",
    "timezone": "America/New_York",
    "location": {
      "lat": 42.3519,
      "lon": -71.0446
    }
  }
];

export const devices: Device[] = [
  {
    "deviceId": "dev-001",
    "siteId": "site-zrh",
    "name": "Cold room 1",
    "model": "TH-200",
    "firmware": "1.0.0",
    "status": "online",
    "registeredAt": "2026-01-10T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 2.71,
      "humidity": 33.6,
      "battery": 95
    },
    "tags": {
      "floor": "0",
      "owner": "ops"
    }
  },
  {
    "deviceId": "dev-002",
    "siteId": "site-osl",
    "name": "Cold room 2",
    "model": "TH-200",
    "firmware": "1.1.1",
    "status": "online",
    "registeredAt": "2026-02-11T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 4.58,
      "humidity": 41.6,
      "battery": 92
    },
    "tags": {
      "floor": "1",
      "owner": "facilities"
    }
  },
  {
    "deviceId": "dev-003",
    "siteId": "site-bos",
    "name": "O'Brien's freezer",
    "model": "TH-300 Pro",
    "firmware": "1.2.2",
    "status": "online",
    "registeredAt": "2026-03-12T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": -17.76,
      "humidity": null,
      "battery": 89
    },
    "tags": {
      "floor": "2",
      "owner": "lab"
    }
  },
  {
    "deviceId": "dev-004",
    "siteId": "site-zrh",
    "name": "Loading bay",
    "model": "EnviroSense 5",
    "firmware": "1.0.3",
    "status": "offline",
    "registeredAt": "2026-04-13T08:30:00Z",
    "lastSeen": "2026-11-23T07:15:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 11.86,
      "humidity": 42.0,
      "battery": 86
    },
    "tags": {
      "floor": "3",
      "owner": "ops"
    }
  },
  {
    "deviceId": "dev-005",
    "siteId": "site-osl",
    "name": "Server rack A",
    "model": "TH-200",
    "firmware": "1.1.4",
    "status": "online",
    "registeredAt": "2026-05-14T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 24.25,
      "humidity": 60.3,
      "battery": 83
    },
    "tags": {
      "floor": "0",
      "owner": "facilities"
    }
  },
  {
    "deviceId": "dev-006",
    "siteId": "site-bos",
    "name": "Boiler room",
    "model": "TH-200",
    "firmware": null,
    "status": "online",
    "registeredAt": "2026-06-15T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 31.24,
      "humidity": 48.2,
      "battery": 80
    },
    "tags": {
      "floor": "1",
      "owner": "lab"
    }
  },
  {
    "deviceId": "dev-007",
    "siteId": "site-zrh",
    "name": "Greenhouse – east",
    "model": "TH-300 Pro",
    "firmware": "1.0.6",
    "status": "online",
    "registeredAt": "2026-07-16T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 21.66,
      "humidity": 56.7,
      "battery": 77
    },
    "tags": {
      "floor": "2",
      "owner": "ops"
    }
  },
  {
    "deviceId": "dev-008",
    "siteId": "site-osl",
    "name": "Greenhouse – west",
    "model": "EnviroSense 5",
    "firmware": "1.1.7",
    "status": "offline",
    "registeredAt": "2026-08-17T08:30:00Z",
    "lastSeen": "2026-11-23T07:15:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 22.24,
      "humidity": 48.0,
      "battery": 74
    },
    "tags": {
      "floor": "3",
      "owner": "facilities"
    }
  },
  {
    "deviceId": "dev-009",
    "siteId": "site-bos",
    "name": "Kühlraum 3",
    "model": "TH-200",
    "firmware": "1.2.8",
    "status": "online",
    "registeredAt": "2026-09-18T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 1.75,
      "humidity": null,
      "battery": 71
    },
    "tags": {
      "floor": "0",
      "owner": "lab"
    }
  },
  {
    "deviceId": "dev-010",
    "siteId": "site-zrh",
    "name": "Pump \"B\"",
    "model": "TH-200",
    "firmware": "1.0.9",
    "status": "online",
    "registeredAt": "2026-01-19T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 13.51,
      "humidity": 46.8,
      "battery": 68
    },
    "tags": {
      "floor": "1",
      "owner": "ops"
    }
  },
  {
    "deviceId": "dev-011",
    "siteId": "site-osl",
    "name": "Roof 🌡 probe",
    "model": "TH-300 Pro",
    "firmware": "1.1.10",
    "status": "online",
    "registeredAt": "2026-02-10T08:30:00Z",
    "lastSeen": "2026-11-24T15:00:00Z",
    "lastReading": {
      "time": "2026-11-24T15:00:00Z",
      "temperature": 10.62,
      "humidity": 61.9,
      "battery": 65
    },
    "tags": {
      "floor": "2",
      "owner": "facilities"
    }
  },
  {
    "deviceId": "dev-012",
    "siteId": "site-bos",
    "name": "Back office",
    "model": "EnviroSense 5",
    "firmware": "1.2.11",
    "status": "unknown",
    "registeredAt": "2026-03-11T08:30:00Z",
    "lastSeen": null,
    "lastReading": null,
    "tags": {}
  }
];

export const readings: Reading[] = [
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T10:00:00Z",
    "temperature": 3.47,
    "humidity": 36.0,
    "battery": 100,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T11:00:00Z",
    "temperature": 4.45,
    "humidity": 32.9,
    "battery": 99,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T12:00:00Z",
    "temperature": 4.11,
    "humidity": 44.6,
    "battery": 98,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T13:00:00Z",
    "temperature": 2.67,
    "humidity": 50.3,
    "battery": 97,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T14:00:00Z",
    "temperature": 2.61,
    "humidity": 47.3,
    "battery": 96,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-001",
    "time": "2026-11-24T15:00:00Z",
    "temperature": 2.71,
    "humidity": 33.6,
    "battery": 95,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T10:00:00Z",
    "temperature": -19.07,
    "humidity": null,
    "battery": 94,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T11:00:00Z",
    "temperature": -19.15,
    "humidity": null,
    "battery": 93,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T12:00:00Z",
    "temperature": -18.57,
    "humidity": null,
    "battery": 92,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T13:00:00Z",
    "temperature": -17.05,
    "humidity": null,
    "battery": 91,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T14:00:00Z",
    "temperature": -18.96,
    "humidity": null,
    "battery": 90,
    "expiresAt": 4102444800
  },
  {
    "deviceId": "dev-003",
    "time": "2026-11-24T15:00:00Z",
    "temperature": -17.76,
    "humidity": null,
    "battery": 89,
    "expiresAt": 4102444800
  }
];

export const profiles: Profile[] = [
  {
    "userId": "local-operator",
    "displayName": "Ana Operator",
    "email": "ana@example.com",
    "role": "operator",
    "siteIds": [
      "site-zrh",
      "site-osl"
    ]
  },
  {
    "userId": "local-viewer",
    "displayName": "Björn Viewer",
    "email": "bjorn@example.com",
    "role": "viewer",
    "siteIds": []
  }
];
