// The held data of the twin bench's DQL figure: one dataset of `n` items in 50 folders, four mimetypes,
// a user score; the bench's query names these folders and types.
export const DATASET_ID = "65f1c0ffee0123456789d001";
export const DIRS = Array.from({ length: 50 }, (_, i) => `/dir${i}`);
export const MIMETYPES = ["image/jpeg", "image/png", "video/mp4", "text/plain"];

export function heldItemsFixtures(n) {
  return {
    datasets: [{ id: DATASET_ID, name: "big" }],
    items: Array.from({ length: n }, (_, i) => ({
      datasetId: DATASET_ID,
      filename: `${DIRS[i % 50]}/file-${i}.bin`,
      metadata: { system: { mimetype: MIMETYPES[i % 4] }, user: { score: (i * 7919) % 1000 } },
    })),
  };
}
