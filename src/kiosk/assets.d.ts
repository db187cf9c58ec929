// Vite's `?url` imports: the asset's URL in the built kiosk.
declare module '*?url' {
  const url: string;
  export default url;
}
