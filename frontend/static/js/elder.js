// Runs before first paint (no defer) so elder mode never flashes; CSP forbids inline scripts.
try{if(localStorage.getItem("linli-elder")==="1")document.documentElement.classList.add("elder")}catch(e){}
