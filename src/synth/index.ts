// Re-exports of this folder's constructs.
export {};
