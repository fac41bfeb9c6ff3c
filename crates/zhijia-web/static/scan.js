// Camera scanning for the fields that take a QR code (coupon redemption, activity check-in, the
// member card check): a "扫码" button beside every input[data-scan] opens the back camera, reads
// the first QR code it sees with jsQR (vendored), puts its text in the field and sends the
// form. Typing or a USB scanner still works as before. No inline script, so the CSP stays strict.
// jsQR (250 KB) is fetched only when the camera is opened: a cashier who types or uses a USB
// scanner, and every phone that opens the page, never downloads it.
(function () {
  'use strict';

  var me = document.currentScript;
  var loading = null;
  function jsQR() {
    if (window.jsQR) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = me && me.dataset.jsqr;
        s.onload = resolve;
        s.onerror = function () { loading = null; reject(new Error('jsQR')); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  // The text of the QR code in a canvas, or null.
  function decode(canvas) {
    var ctx = canvas.getContext('2d', { willReadFrequently: true });
    var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
    return found ? found.data : null;
  }
  window.zhijiaScan = { decode: decode, load: jsQR };

  function scan(input, button) {
    var form = input.form;
    var box = document.createElement('div');
    box.className = 'scanner';
    var video = document.createElement('video');
    video.setAttribute('playsinline', '');
    video.muted = true;
    var note = document.createElement('p');
    note.className = 'muted';
    note.setAttribute('role', 'status');
    note.textContent = '正在打开摄像头…';
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'secondary';
    close.textContent = '关闭摄像头';
    box.appendChild(video);
    box.appendChild(note);
    box.appendChild(close);
    form.parentNode.insertBefore(box, form.nextSibling);
    var canvas = document.createElement('canvas');
    var stream = null;
    var stopped = false;
    function stop() {
      stopped = true;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      box.remove();
      button.disabled = false;
    }
    close.addEventListener('click', stop);
    button.disabled = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.textContent = '此浏览器不能使用摄像头(需要 HTTPS)，请手动输入';
      return;
    }
    function tick() {
      if (stopped) return;
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext('2d', { willReadFrequently: true }).drawImage(video, 0, 0);
        var text = decode(canvas);
        if (text) {
          input.value = text;
          stop();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
          return;
        }
      }
      setTimeout(tick, 200);
    }
    jsQR()
      .then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      })
      .then(function (s) {
        stream = s;
        if (stopped) { stop(); return null; }
        video.srcObject = s;
        note.textContent = '将二维码对准摄像头';
        return video.play();
      })
      .then(function () { tick(); })
      .catch(function (e) {
        note.textContent = '无法打开摄像头(' + e.name + ')，请手动输入';
      });
  }

  document.querySelectorAll('input[data-scan]').forEach(function (input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary scan';
    button.textContent = '扫码';
    button.addEventListener('click', function () { scan(input, button); });
    var after = input.closest('label') || input;
    after.parentNode.insertBefore(button, after.nextSibling);
  });
})();
