// Puppeteer must never download a browser here: the course uses the system's Chromium
// (Debian's `chromium` package). mermaid-cli and our renderer both read this file.
module.exports = {
  skipDownload: true,
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
};
