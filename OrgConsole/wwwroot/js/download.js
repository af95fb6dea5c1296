// Saves what the server produced (a CSV export, an invoice PDF) as a file in the browser.
function save(fileName, blob) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(fileName, text, mimeType) {
    save(fileName, new Blob([text], { type: mimeType }));
}

// Bytes cross the circuit as base64.
export function downloadBase64(fileName, base64, mimeType) {
    save(fileName, new Blob([Uint8Array.from(atob(base64), c => c.charCodeAt(0))], { type: mimeType }));
}
